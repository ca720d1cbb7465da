package dev.loopline.gateway;

import dev.loopline.api.config.Setting;
import dev.loopline.api.config.SettingsTable;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * Runs one gateway process until it is stopped. With {@code --print-config} it prints the settings
 * it would run with, secrets masked, and exits.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--print-config")) {
            System.out.print(SettingsTable.effective(GatewaySettings.all(), Setting.Reader.GATEWAY, System.getenv()));
            return;
        }
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
