package io.starling.broker.transport;

import io.starling.broker.core.auth.SecurityRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What an {@code http_api} listener needs besides its address.
 *
 * @param tls         null for plain HTTP, else HTTPS with the listener's certificate
 * @param security    the listener's own password check and ACL (per_listener_settings), or null for the broker's
 * @param metricsAuth whether {@code /metrics} needs a login too ({@code http_metrics_auth})
 * @param httpDir     {@code http_dir}, or null
 * @param corsOrigins {@code http_cors_origin}: the web origins whose pages may read the API (none by default)
 * @param api         what the API serves
 */
public record HttpApiOptions(TlsSettings tls, SecurityRules security, boolean metricsAuth, Path httpDir,
                             List<String> corsOrigins, HttpApi api) {
    public HttpApiOptions {
        Objects.requireNonNull(api, "api");
        corsOrigins = List.copyOf(corsOrigins);
    }
}
