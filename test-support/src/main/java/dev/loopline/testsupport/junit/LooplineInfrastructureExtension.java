package dev.loopline.testsupport.junit;

import dev.loopline.testsupport.infra.Infrastructure;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link Infrastructure} (a real broker and a real registry) started once per test
 * run, shared by every test class in the JVM, and stopped when the run ends. Tests isolate
 * themselves with their own topic prefix and application id.
 */
public final class LooplineInfrastructureExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Infrastructure.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.create(LooplineInfrastructureExtension.class))
                .getOrComputeIfAbsent(Infrastructure.class, type -> Infrastructure.start(), Infrastructure.class);
    }
}
