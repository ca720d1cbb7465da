package dev.loopline.gateway;

import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/** Runs one gateway process until it is stopped. */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        EventGateway gateway = EventGateway.start(GatewayConfig.from(System.getenv()));
        LoggerFactory.getLogger(Main.class).info("event gateway listening on port {}", gateway.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            gateway.close();
                            stopped.countDown();
                        },
                        "gateway-shutdown"));
        stopped.await();
    }
}
