package dev.loopline.runtime.domain.event;

import dev.loopline.api.internal.DefinitionHealth;
import java.util.Optional;

/** A definition's failures in a row: each failed job adds one, a success sets them back to 0. */
public final class DefinitionHealthRules {

    private DefinitionHealthRules() {}

    /**
     * The definition's health after one of its jobs completed, or empty when it did not change
     * (another success).
     *
     * @param before the health before, null if the definition had none yet
     */
    public static Optional<DefinitionHealth> after(DefinitionHealth before, String definitionId, boolean succeeded) {
        int failed = before == null ? 0 : before.getConsecutiveFailures();
        int now = succeeded ? 0 : failed + 1;
        if (before != null && now == failed) {
            return Optional.empty();
        }
        return Optional.of(new DefinitionHealth(definitionId, now));
    }
}
