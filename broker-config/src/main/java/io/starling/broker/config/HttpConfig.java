package io.starling.broker.config;

import java.nio.file.Path;

/**
 * What an {@code http_api} listener serves besides its API.
 *
 * @param dir         {@code http_dir}: a directory of extra static files served under {@code /}, or null
 * @param metricsAuth {@code http_metrics_auth} (Starling's own option): whether {@code /metrics} asks for
 *                    the same HTTP Basic credentials as the rest of the API. Default false, so that a
 *                    Prometheus server scrapes it as it scrapes any exporter
 */
public record HttpConfig(Path dir, boolean metricsAuth) {
    public static final HttpConfig DEFAULTS = new HttpConfig(null, false);
}
