package dev.loopline.gateway.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.loopline.api.security.Principal;
import dev.loopline.api.security.Role;
import dev.loopline.gateway.http.ProblemException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth2/OIDC bearer tokens: a JWT is accepted when its signature verifies with a key of the JWKS
 * (RSA or EC algorithms only: {@code alg: none} and HMAC tokens are refused, since a public JWKS
 * must never double as a shared secret), its {@code iss} is exactly the configured issuer, its
 * {@code aud} contains the configured audience, and it has not expired (60 s of clock skew
 * allowed). A JWKS address is fetched when first needed, cached and re-fetched when a token names
 * an unknown key id, so the provider can rotate keys without a restart.
 *
 * <p>Role names come from a configurable claim; names that are not gateway roles are ignored, as
 * identity providers put many roles in a token. A publisher is limited to the sources and entity
 * types in the claims {@value #SOURCES_CLAIM} and {@value #ENTITY_TYPES_CLAIM} (a list or a
 * space-separated string; absent: any), as an API key entry's {@code sources} and
 * {@code entityTypes}.
 */
public final class JwtAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
    private static final Set<JWSAlgorithm> ALGORITHMS = union(JWSAlgorithm.Family.RSA, JWSAlgorithm.Family.EC);

    static final String SOURCES_CLAIM = "loopline_sources";
    static final String ENTITY_TYPES_CLAIM = "loopline_entity_types";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String rolesClaim;
    private final String principalClaim;

    private JwtAuthenticator(JWKSource<SecurityContext> keys, SecurityConfig config) {
        if (config.jwtIssuer() == null || config.jwtAudience() == null) {
            throw new IllegalStateException(
                    "LOOPLINE_JWT_ISSUER and LOOPLINE_JWT_AUDIENCE are required with a JWKS: without them a token"
                            + " issued for any other application of the same provider would be accepted");
        }
        this.rolesClaim = config.rolesClaim();
        this.principalClaim = config.principalClaim();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                config.jwtAudience(),
                new JWTClaimsSet.Builder().issuer(config.jwtIssuer()).build(),
                Set.of("exp", principalClaim)));
    }

    /** From the JWKS address or file of the configuration. */
    public static JwtAuthenticator from(SecurityConfig config) {
        if (config.jwksUrl() != null && config.jwksFile() != null) {
            throw new IllegalStateException("set LOOPLINE_JWT_JWKS_URL or LOOPLINE_JWT_JWKS_FILE, not both");
        }
        JWKSource<SecurityContext> keys;
        if (config.jwksUrl() != null) {
            try {
                keys = JWKSourceBuilder.create(config.jwksUrl().toURL())
                        .retrying(true)
                        .build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalStateException("LOOPLINE_JWT_JWKS_URL is not a URL: " + config.jwksUrl(), e);
            }
        } else {
            try {
                keys = new ImmutableJWKSet<>(JWKSet.load(config.jwksFile().toFile()));
            } catch (IOException | ParseException e) {
                throw new IllegalStateException(
                        "cannot read the JWKS file " + config.jwksFile() + ": " + e.getMessage(), e);
            }
        }
        return new JwtAuthenticator(keys, config);
    }

    /**
     * The token's principal, or empty when the token is not one this gateway accepts; a 503 problem
     * when the key set cannot be fetched.
     */
    public Optional<Principal> authenticate(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException e) {
            log.debug("bearer token refused: {}", e.getMessage());
            return Optional.empty();
        } catch (KeySourceException e) {
            // the provider's key set cannot be had: the caller is not at fault, so not a 401
            log.warn("bearer token not checked, the JWKS is unavailable: {}", e.getMessage());
            throw new ProblemException(
                    503,
                    "unavailable",
                    "Cannot check credentials",
                    "the identity provider's key set is unavailable; try again later",
                    List.of());
        } catch (JOSEException e) {
            log.warn("bearer token not checked: {}", e.getMessage());
            return Optional.empty();
        }
        Object name = claims.getClaim(principalClaim);
        if (!(name instanceof String principal) || principal.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Principal(
                principal,
                roles(claims.getClaims()),
                names(claims.getClaim(SOURCES_CLAIM)),
                names(claims.getClaim(ENTITY_TYPES_CLAIM))));
    }

    private Set<Role> roles(Map<String, Object> claims) {
        Object value = claims;
        for (String part : rolesClaim.split("\\.")) {
            value = value instanceof Map<?, ?> map ? map.get(part) : null;
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names(value)) {
            Role.parse(name).ifPresent(roles::add);
        }
        return roles;
    }

    /** A claim's names: a list of strings, or one string of names apart by spaces or commas. */
    private static Set<String> names(Object value) {
        Collection<?> names;
        if (value instanceof Collection<?> list) {
            names = list;
        } else if (value instanceof String text) {
            names = List.of(text.split("[\\s,]+"));
        } else {
            names = List.of();
        }
        Set<String> found = new HashSet<>();
        for (Object name : names) {
            if (name instanceof String text && !text.isBlank()) {
                found.add(text);
            }
        }
        return found;
    }

    private static Set<JWSAlgorithm> union(Set<JWSAlgorithm> a, Set<JWSAlgorithm> b) {
        Set<JWSAlgorithm> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
