package dev.loopline.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link Loopline} deployment for the whole test run, the first time a test asks for
 * it, and stops it when the run ends: a broker, a registry, the runtime and the gateway.
 *
 * <ul>
 *   <li><b>Broker:</b> Testcontainers' {@code apache/kafka} where a Docker engine answers; otherwise
 *       Apache Kafka's KRaft broker in this JVM. {@code -Dloopline.test.broker=container|embedded}
 *       forces one.
 *   <li><b>Registry:</b> Apicurio Registry's container where Docker answers; otherwise its
 *       distribution as a child process, unpacked where {@code -Dloopline.apicurio.home} says
 *       (README, "Testing your workflows").
 *   <li><b>Settings:</b> a {@code loopline-testkit.properties} resource on the test class path may
 *       set any runtime or gateway setting ({@code LOOPLINE_RETRY_BASE=PT0.2S}, say): the
 *       runtime's timers follow the wall clock, so a test shortens them rather than advancing them.
 * </ul>
 */
public final class LooplineExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LooplineExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Loopline.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Loopline.class, type -> Loopline.start(), Loopline.class);
    }
}
