package dev.loopline.api.security;

import java.util.EnumSet;
import java.util.Set;

/**
 * An authenticated caller: the name written into audit fields and logs, its roles and, for a
 * publisher, the sources and entity types it may publish for (empty: any).
 */
public record Principal(String name, Set<Role> roles, Set<String> sources, Set<String> entityTypes) {

    /** The caller of a gateway whose authentication is switched off: every role, no limit. */
    public static final Principal ANONYMOUS = new Principal("anonymous", EnumSet.allOf(Role.class), Set.of(), Set.of());

    public Principal {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
        sources = Set.copyOf(sources);
        entityTypes = Set.copyOf(entityTypes);
    }

    /** A principal with these roles and no publisher limits. */
    public static Principal of(String name, Set<Role> roles) {
        return new Principal(name, roles, Set.of(), Set.of());
    }

    public boolean hasAny(Set<Role> wanted) {
        return wanted.stream().anyMatch(roles::contains);
    }

    /** Whether a publisher limited to some sources and entity types may publish this event. */
    public boolean mayPublish(String source, String entityType) {
        return (sources.isEmpty() || sources.contains(source))
                && (entityTypes.isEmpty() || entityTypes.contains(entityType));
    }
}
