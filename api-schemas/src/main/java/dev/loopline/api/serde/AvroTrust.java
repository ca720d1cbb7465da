package dev.loopline.api.serde;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate generated classes outside trusted packages. Deployments normally
 * set {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline}; this adds Loopline's own
 * packages through Avro's public validator API as well, so that a forgotten flag is not a crash.
 * Other packages stay as the deployment configured them.
 */
public final class AvroTrust {

    private static final AtomicBoolean DONE = new AtomicBoolean();

    private AvroTrust() {}

    public static void trustLooplinePackages() {
        if (DONE.compareAndSet(false, true)) {
            ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                    current, type -> type.getName().startsWith("dev.loopline.")));
        }
    }
}
