package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.HttpConfig;
import io.starling.broker.config.Protocol;
import io.starling.broker.config.SocketDomain;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code listener}, the legacy default listener ({@code port}, {@code bind_address}) and the general
 * per-listener options (mosquitto.conf(5), "Listeners: General Options").
 */
final class ListenerOptions implements OptionGroup {
    /** A web origin as browsers send it: scheme, host and maybe a port; no path, no trailing slash. */
    private static final Pattern ORIGIN = Pattern.compile("https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "listener" -> listener(line, context);
            case "port" -> port(line, context);
            case "bind_address" -> bindAddress(line, context);
            case "protocol" -> protocol(line, context);
            case "socket_domain" -> socketDomain(line, context);
            case "max_connections" -> maxConnections(line, context);
            case "mount_point" -> mountPoint(line, context);
            case "max_qos", "maximum_qos" -> maxQos(line, context);
            case "max_topic_alias" -> maxTopicAlias(line, context);
            case "http_dir" -> httpDir(line, context);
            case "http_metrics_auth" -> httpMetricsAuth(line, context);
            case "http_cors_origin" -> httpCorsOrigin(line, context);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** {@code listener PORT [ADDRESS]}; {@code listener 0 PATH} is a Unix socket, which we do not serve yet. */
    private static void listener(ConfigLine line, ReadContext context) throws ConfigException {
        List<String> words = line.words();
        if (words.isEmpty()) {
            throw line.empty();
        }
        int port = port(line, words.get(0), 0);
        // Mosquitto ignores the rest of the line when the second word starts with '#'.
        String address = words.size() > 1 && !words.get(1).startsWith("#") ? words.get(1) : null;
        if (address != null) {
            context.warnExtraWords(line, 2);
        }
        if (port == 0 && address == null) {
            throw line.error("A listener with port 0 must provide a Unix socket path.");
        }
        if (port == 0) {
            context.warn(line.warning("'listener 0 " + address + "' (a Unix socket) is not supported yet and was ignored."));
        }
        context.open(ListenerDraft.opened(line, port, address, port == 0));
    }

    private static void port(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = context.defaultListener(line);
        if (listener.repeats.note(line, "port") != null) {
            context.warn(line.warning("Default listener port specified multiple times. Only the latest will be used."));
        }
        listener.port = port(line, line.word(), 1);
        context.warnExtraWords(line, 1);
    }

    private static int port(ConfigLine line, String word, int min) throws ConfigException {
        if (!word.matches("[-+]?[0-9]{1,9}")) {
            throw line.error("Invalid port value (" + word + ").");
        }
        int port = Integer.parseInt(word);
        if (port < min || port > 65535) {
            throw line.error("Invalid port value (" + port + ").");
        }
        return port;
    }

    private static void bindAddress(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = context.defaultListener(line);
        listener.repeats.refuse(line, "default listener bind_address");
        listener.address = line.word();
        context.warnExtraWords(line, 1);
    }

    private static void protocol(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        String word = line.word();
        listener.protocol = switch (word) {
            case "mqtt" -> Protocol.MQTT;
            case "websockets" -> Protocol.WEBSOCKETS;
            case "http_api" -> Protocol.HTTP_API;
            default -> throw line.error("Invalid protocol value (" + word + ").");
        };
    }

    private static void socketDomain(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        String word = line.word();
        listener.socketDomain = switch (word) {
            case "ipv4" -> SocketDomain.IPV4;
            case "ipv6" -> SocketDomain.IPV6;
            default -> throw line.error("Invalid socket_domain value \"" + word + "\" in configuration.");
        };
    }

    private static void maxConnections(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        long n = line.integer();
        if (n > Integer.MAX_VALUE) {
            throw line.invalid(line.word());
        }
        listener.maxConnections = n < 0 ? -1 : (int) n; // mosquitto: any negative value means no limit
    }

    private static void mountPoint(ConfigLine line, ReadContext context) throws ConfigException {
        if (!context.anyListenerOpened()) {
            throw line.error("You must create a listener before using the mount_point option in the configuration file.");
        }
        ListenerDraft listener = context.listener(line);
        listener.repeats.refuse(line, "mount_point");
        String mountPoint = line.text();
        if (mountPoint.contains("+") || mountPoint.contains("#")) {
            throw line.error("Invalid mount_point '" + mountPoint + "'. Does it contain a wildcard character?");
        }
        listener.mountPoint = mountPoint;
    }

    private static void maxQos(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        long n = line.integer();
        if (n < 0 || n > 2) {
            throw line.error("max_qos must be between 0 and 2 inclusive.");
        }
        listener.maxQos = (int) n;
    }

    private static void maxTopicAlias(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        listener.maxTopicAlias = line.integer(0, 65535);
    }

    /**
     * {@code http_dir DIR}: extra static files of an {@code http_api} listener (it must follow
     * {@code protocol http_api}). On other listeners (mosquitto serves it on websockets ones) it is
     * not supported yet.
     */
    private static void httpDir(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = context.listener(line);
        if (listener.protocol != Protocol.HTTP_API) {
            line.text();
            context.warn(line.warning("'http_dir' is not supported yet and was ignored."));
            return;
        }
        listener.repeats.refuse(line, "http_dir");
        listener.http = new HttpConfig(line.path(), listener.http.metricsAuth(), listener.http.corsOrigins());
    }

    /** {@code http_metrics_auth true|false} (Starling's): whether /metrics of an http_api listener needs a login. */
    private static void httpMetricsAuth(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = scalar(line, context);
        boolean value = line.bool();
        if (listener.protocol != Protocol.HTTP_API) {
            context.warn(line.warning("http_metrics_auth only applies after 'protocol http_api'; ignored."));
            return;
        }
        listener.http = new HttpConfig(listener.http.dir(), value, listener.http.corsOrigins());
    }

    /**
     * {@code http_cors_origin ORIGIN...} (Starling's): the origins whose pages may read an
     * {@code http_api} listener from a browser (CORS); {@code *} for any page. Without it, no CORS
     * header is sent.
     */
    private static void httpCorsOrigin(ConfigLine line, ReadContext context) throws ConfigException {
        ListenerDraft listener = context.listener(line);
        List<String> origins = line.words();
        if (origins.isEmpty()) {
            throw line.empty();
        }
        for (String origin : origins) {
            if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                throw line.error("Invalid http_cors_origin value (" + origin
                        + "): expected an origin such as https://console.example.com or http://127.0.0.1:8080, or *.");
            }
        }
        if (listener.protocol != Protocol.HTTP_API) {
            context.warn(line.warning("http_cors_origin only applies after 'protocol http_api'; ignored."));
            return;
        }
        listener.repeats.refuse(line, "http_cors_origin");
        listener.http = new HttpConfig(listener.http.dir(), listener.http.metricsAuth(), origins);
    }

    /** The current listener, for a one-word option whose last value wins. */
    private static ListenerDraft scalar(ConfigLine line, ReadContext context) {
        ListenerDraft listener = context.listener(line);
        String name = line.key().equals("maximum_qos") ? "max_qos" : line.key();
        listener.repeats.lastWins(line, name, context);
        context.warnExtraWords(line, 1);
        return listener;
    }
}
