package io.starling.broker.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What an {@code http_api} listener serves besides its API.
 *
 * @param dir         {@code http_dir}: a directory of extra static files served under {@code /}, or null
 * @param metricsAuth {@code http_metrics_auth} (Starling's own option): whether {@code /metrics} asks for
 *                    the same HTTP Basic credentials as the rest of the API. Default false, so that a
 *                    Prometheus server scrapes it as it scrapes any exporter
 * @param corsOrigins {@code http_cors_origin} (Starling's own option): the web origins
 *                    ({@code https://host[:port]}, or {@code *}) whose pages may read the API from a
 *                    browser. Default none: a page the operator opens elsewhere cannot read
 *                    {@code /api/v1/clients} from a broker on 127.0.0.1
 */
public record HttpConfig(Path dir, boolean metricsAuth, List<String> corsOrigins) {
    public static final HttpConfig DEFAULTS = new HttpConfig(null, false, List.of());

    public HttpConfig {
        corsOrigins = List.copyOf(corsOrigins);
    }
}
