package io.starling.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.SecurityRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of an {@code http_api} listener, as mosquitto 2.1's HTTP API does:
 * {@code GET /api/v1/systree}, {@code /api/v1/listeners}, {@code /api/v1/version}, static files;
 * plus Starling's {@code /metrics} (Prometheus), {@code /api/v1/clients} and
 * {@code /api/v1/retained} (the web console's).
 *
 * <p>Access: each request is checked against the listener's password rules with the HTTP Basic
 * credentials it carries (none: anonymous), so with {@code allow_anonymous false} every path asks
 * for a login; {@code /metrics} does so only with {@code http_metrics_auth true}. What
 * {@code systree} shows is what the ACL lets the user read ({@code canRead} per $SYS topic, as
 * client id {@code http-api}). Slow password hashes are checked off the event loop.
 *
 * <p>Threading: the channel's event loop; answers computed elsewhere come back to it.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The topic whose read access lets an HTTP user list the connected clients. */
    static final String CLIENTS_TOPIC = "$SYS/broker/clients/connected";
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    static final String CLIENT_ID = "http-api";
    private static final String REALM = "Starling API";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final int RETAINED_TOPICS_SHOWN = 500;

    private final BrokerCore core;
    private final HttpApiOptions options;
    private final StaticFiles files;

    HttpApiHandler(BrokerCore core, HttpApiOptions options, StaticFiles files) {
        this.core = core;
        this.options = options;
        this.files = files;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            // Netty's codec could not parse it (a line too long, a bad header): where the next request
            // starts is unknown, so answer and close.
            send(ctx, false, text(HttpResponseStatus.BAD_REQUEST, "Bad request\n"));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.method().equals(HttpMethod.GET)) {
            send(ctx, keepAlive, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Invalid HTTP Method\n"));
            return;
        }
        String path = path(request.uri());
        if (path == null) {
            send(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "Bad request\n"));
            return;
        }
        String[] credentials = basicCredentials(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (path.equals("/metrics") && !options.metricsAuth()) {
            answer(ctx, keepAlive, path, null);
            return;
        }
        SecurityRules rules = options.security() != null ? options.security() : core.security();
        Authenticator authenticator = rules.authenticator();
        String user = credentials == null ? null : credentials[0];
        byte[] password = credentials == null ? null : credentials[1].getBytes(StandardCharsets.UTF_8);
        if (!authenticator.isSlow()) {
            afterCheck(ctx, keepAlive, path, user, authenticator.authenticate(CLIENT_ID, user, password));
            return;
        }
        core.slowAuthExecutor().execute(() -> {
            Authenticator.Decision decision = authenticator.authenticate(CLIENT_ID, user, password);
            ctx.executor().execute(() -> afterCheck(ctx, keepAlive, path, user, decision));
        });
    }

    private void afterCheck(ChannelHandlerContext ctx, boolean keepAlive, String path, String user,
                            Authenticator.Decision decision) {
        if (decision != Authenticator.Decision.ALLOW) {
            LOG.debug("HTTP API request for {} from {} refused: {}.", path, ctx.channel().remoteAddress(), decision);
            FullHttpResponse refused = text(HttpResponseStatus.UNAUTHORIZED, "Not authorised\n");
            refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            send(ctx, keepAlive, refused);
            return;
        }
        answer(ctx, keepAlive, path, new ClientIdentity(CLIENT_ID, user));
    }

    /** @param who the user the request came as; null for an unchecked /metrics */
    private void answer(ChannelHandlerContext ctx, boolean keepAlive, String path, ClientIdentity who) {
        HttpApi api = options.api();
        switch (path) {
            case "/metrics" -> send(ctx, keepAlive, response(HttpResponseStatus.OK, PROMETHEUS, api.metrics()));
            case "/api/v1/systree" -> later(ctx, keepAlive, api.sysTree().thenApply(values -> json(systree(values, who))));
            case "/api/v1/listeners" -> send(ctx, keepAlive, json(listeners(api.listeners())));
            case "/api/v1/version" -> send(ctx, keepAlive, cors(text(HttpResponseStatus.OK, api.version())));
            case "/api/v1/clients" -> later(ctx, keepAlive, mayRead(who, CLIENTS_TOPIC)
                    ? api.clients().thenApply(c -> json(clients(c)))
                    : CompletableFuture.completedFuture(json(clients(List.of()))));
            case "/api/v1/retained" -> send(ctx, keepAlive,
                    json(retained(api.retainedTopics(RETAINED_TOPICS_SHOWN, topic -> mayRead(who, topic)))));
            default -> send(ctx, keepAlive, path.startsWith("/api/") ? notFound() : file(path));
        }
    }

    /** mosquitto 2.1's shape: one member per $SYS topic with an integer value, uptime in seconds. */
    private String systree(Map<String, Long> values, ClientIdentity who) {
        JsonWriter json = new JsonWriter().beginObject();
        values.forEach((topic, value) -> {
            if (mayRead(who, topic)) {
                json.name(topic).value(value);
            }
        });
        return json.endObject().toString();
    }

    /**
     * What the HTTP user may see follows the ACL as for an MQTT client of that user: a $SYS value or a
     * retained topic when it may read that topic, the client list when it may read
     * {@value #CLIENTS_TOPIC} (the count the list details).
     */
    private boolean mayRead(ClientIdentity who, String topic) {
        Authorizer authorizer = (options.security() != null ? options.security() : core.security()).authorizer();
        return authorizer == Authorizer.ALLOW_ALL || authorizer.canRead(who, topic) == Authorizer.Access.ALLOW;
    }

    /** mosquitto 2.1's shape: {"listeners":[{"port":1883,"protocol":"mqtt","tls":false,"mtls":false,"allow_anonymous":true}]}. */
    private static String listeners(List<HttpApi.Listener> listeners) {
        JsonWriter json = new JsonWriter().beginObject().name("listeners").beginArray();
        for (HttpApi.Listener l : listeners) {
            json.beginObject().name("port").value(l.port()).name("protocol").value(l.protocol())
                    .name("tls").value(l.tls()).name("mtls").value(l.mtls())
                    .name("allow_anonymous").value(l.allowAnonymous()).endObject();
        }
        return json.endArray().endObject().toString();
    }

    private static String clients(List<HttpApi.ConnectedClient> clients) {
        JsonWriter json = new JsonWriter().beginObject().name("clients").beginArray();
        for (HttpApi.ConnectedClient c : clients) {
            json.beginObject().name("id").value(c.clientId()).name("username").value(c.username())
                    .name("address").value(c.address()).name("protocol").value(c.protocol())
                    .name("keepalive").value(c.keepAlive()).name("subscriptions").value(c.subscriptions())
                    .name("inflight").value(c.inflight()).name("queued").value(c.queued()).endObject();
        }
        return json.endArray().endObject().toString();
    }

    private static String retained(List<HttpApi.RetainedTopic> topics) {
        JsonWriter json = new JsonWriter().beginObject().name("retained").beginArray();
        for (HttpApi.RetainedTopic t : topics) {
            json.beginObject().name("topic").value(t.topic()).name("bytes").value(t.bytes()).endObject();
        }
        return json.endArray().endObject().toString();
    }

    private FullHttpResponse file(String path) {
        try {
            StaticFiles.File f = files.find(path);
            return f == null ? notFound() : response(HttpResponseStatus.OK, f.contentType(), Unpooled.wrappedBuffer(f.bytes()));
        } catch (IOException e) {
            LOG.warn("HTTP API: could not read the file for {}: {}", path, e.toString());
            return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error.\n");
        }
    }

    /** The URL-decoded path of a request target, or null when it has a malformed %-escape. */
    private static String path(String uri) {
        try {
            return new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The user name and password of an {@code Authorization: Basic} header, or null. */
    static String[] basicCredentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static FullHttpResponse json(String body) {
        return cors(response(HttpResponseStatus.OK, JSON, body));
    }

    /** The API may be read from pages served elsewhere, as mosquitto allows. */
    private static FullHttpResponse cors(FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        return response;
    }

    private static FullHttpResponse notFound() {
        return text(HttpResponseStatus.NOT_FOUND, "Not found.\n");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, body);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        return response(status, contentType, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    /** Sends an answer computed on another thread, back on this channel's loop. */
    private static void later(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<FullHttpResponse> answer) {
        answer.whenComplete((response, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                LOG.warn("HTTP API request failed: {}", error.toString());
                send(ctx, keepAlive, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error.\n"));
            } else {
                send(ctx, keepAlive, response);
            }
        }));
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP API connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
