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
import io.starling.broker.core.auth.PasswordChecks;
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
 * {@code /api/v1/retained} (the web console's; paged with {@code ?offset=&limit=}, at most
 * {@value #PAGE_MAX} entries a page, {@code "more"} when others follow) and {@code /api/v1/cluster}
 * ({@code {"enabled":false}} for a broker without a cluster).
 *
 * <p>Access: each request is checked against the listener's password rules with the HTTP Basic
 * credentials it carries (none: anonymous), so with {@code allow_anonymous false} every path asks
 * for a login; {@code /metrics} does so only with {@code http_metrics_auth true}. What
 * {@code systree} shows is what the ACL lets the user read ({@code canRead} per $SYS topic, as
 * client id {@code http-api}). Slow password hashes are checked off the event loop, in the
 * broker's one {@link PasswordChecks} queue; when it is full the answer is 503 with Retry-After.
 *
 * <p>Threading: the channel's event loop; answers computed elsewhere come back to it.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The topic whose read access lets an HTTP user list the connected clients. */
    static final String CLIENTS_TOPIC = "$SYS/broker/clients/connected";
    /** {@code /api/v1/cluster} is for users who may read this $SYS topic (403 otherwise). */
    static final String CLUSTER_TOPIC = "$SYS/broker/cluster/nodes";
    /** {@code /api/v1/bridges} is for users who may read the bridges' $SYS topics (403 otherwise). */
    static final String BRIDGES_TOPIC = "$SYS/broker/bridges/state";
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    static final String CLIENT_ID = "http-api";
    private static final String REALM = "Starling API";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    static final int PAGE_MAX = 500;

    private final BrokerCore core;
    private final HttpApiOptions options;
    private final StaticFiles files;
    private final CorsPolicy cors;

    HttpApiHandler(BrokerCore core, HttpApiOptions options, StaticFiles files, CorsPolicy cors) {
        this.core = core;
        this.options = options;
        this.files = files;
        this.cors = cors;
    }

    /** Where the answer to one request goes: its channel, whether to keep it open, and the page's origin. */
    private record Reply(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            // Netty's codec could not parse it (a line too long, a bad header): where the next request
            // starts is unknown, so answer and close.
            send(new Reply(ctx, false, null), text(HttpResponseStatus.BAD_REQUEST, "Bad request\n"));
            return;
        }
        Reply reply = new Reply(ctx, HttpUtil.isKeepAlive(request), request.headers().get(HttpHeaderNames.ORIGIN));
        if (cors.isPreflight(request)) {
            send(reply, cors.preflight(request));
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            send(reply, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Invalid HTTP Method\n"));
            return;
        }
        QueryStringDecoder uri = uri(request.uri());
        if (uri == null) {
            send(reply, text(HttpResponseStatus.BAD_REQUEST, "Bad request\n"));
            return;
        }
        String[] credentials = basicCredentials(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (uri.path().equals("/metrics") && !options.metricsAuth()) {
            answer(reply, uri, null);
            return;
        }
        SecurityRules rules = options.security() != null ? options.security() : core.security();
        Authenticator authenticator = rules.authenticator();
        String user = credentials == null ? null : credentials[0];
        byte[] password = credentials == null ? null : credentials[1].getBytes(StandardCharsets.UTF_8);
        core.passwordChecks().check(PasswordChecks.Priority.LOGIN, authenticator, CLIENT_ID, user, password,
                ctx.executor(), () -> !ctx.channel().isActive(),
                decision -> afterCheck(reply, uri, user, decision));
    }

    private void afterCheck(Reply reply, QueryStringDecoder uri, String user, Authenticator.Decision decision) {
        String path = uri.path();
        if (decision == Authenticator.Decision.SERVER_BUSY) {
            FullHttpResponse busy = text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Server busy\n");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            send(reply, busy);
            return;
        }
        if (decision != Authenticator.Decision.ALLOW) {
            LOG.debug("HTTP API request for {} from {} refused: {}.", path, reply.ctx().channel().remoteAddress(), decision);
            FullHttpResponse refused = text(HttpResponseStatus.UNAUTHORIZED, "Not authorised\n");
            refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            send(reply, refused);
            return;
        }
        answer(reply, uri, new ClientIdentity(CLIENT_ID, user));
    }

    /** @param who the user the request came as; null for an unchecked /metrics */
    private void answer(Reply reply, QueryStringDecoder uri, ClientIdentity who) {
        HttpApi api = options.api();
        String path = uri.path();
        switch (path) {
            case "/metrics" -> send(reply, response(HttpResponseStatus.OK, PROMETHEUS, api.metrics()));
            case "/api/v1/systree" -> later(reply, api.sysTree().thenApply(values -> json(systree(values, who))));
            case "/api/v1/listeners" -> send(reply, json(listeners(api.listeners())));
            case "/api/v1/cluster" -> later(reply, mayRead(who, CLUSTER_TOPIC)
                    ? api.cluster().thenApply(HttpApiHandler::cluster)
                    : CompletableFuture.completedFuture(text(HttpResponseStatus.FORBIDDEN, "Not authorised\n")));
            case "/api/v1/bridges" -> send(reply, mayRead(who, BRIDGES_TOPIC)
                    ? json(new JsonWriter().tree(Map.of("bridges", api.bridges())).toString())
                    : text(HttpResponseStatus.FORBIDDEN, "Not authorised\n"));
            case "/api/v1/version" -> send(reply, text(HttpResponseStatus.OK, api.version()));
            case "/api/v1/clients" -> {
                int offset = parameter(uri, "offset", 0, Integer.MAX_VALUE, 0);
                int limit = parameter(uri, "limit", 0, PAGE_MAX, PAGE_MAX);
                later(reply, mayRead(who, CLIENTS_TOPIC)
                        ? api.clients(offset, limit).thenApply(c -> json(clients(c)))
                        : CompletableFuture.completedFuture(json(clients(new HttpApi.ClientPage(List.of(), false)))));
            }
            case "/api/v1/retained" -> {
                int offset = parameter(uri, "offset", 0, Integer.MAX_VALUE, 0);
                int limit = parameter(uri, "limit", 0, PAGE_MAX, PAGE_MAX);
                later(reply, api.retainedTopics(offset, limit, topic -> mayRead(who, topic))
                        .thenApply(page -> json(retained(page))));
            }
            default -> send(reply, path.startsWith("/api/") ? notFound() : file(path));
        }
    }

    /** Without a cluster {@code {"enabled":false}}; with one, the cluster's tree and {@code "enabled":true}. */
    private static FullHttpResponse cluster(Map<String, Object> tree) {
        if (tree == null) {
            return json("{\"enabled\":false}");
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("enabled", true);
        out.putAll(tree);
        return json(new JsonWriter().tree(out).toString());
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

    private static String clients(HttpApi.ClientPage page) {
        JsonWriter json = new JsonWriter().beginObject().name("clients").beginArray();
        for (HttpApi.ConnectedClient c : page.clients()) {
            json.beginObject().name("id").value(c.clientId()).name("username").value(c.username())
                    .name("address").value(c.address()).name("protocol").value(c.protocol())
                    .name("keepalive").value(c.keepAlive()).name("subscriptions").value(c.subscriptions())
                    .name("inflight").value(c.inflight()).name("queued").value(c.queued()).endObject();
        }
        return json.endArray().name("more").value(page.more()).endObject().toString();
    }

    private static String retained(HttpApi.RetainedPage page) {
        JsonWriter json = new JsonWriter().beginObject().name("retained").beginArray();
        for (HttpApi.RetainedTopic t : page.topics()) {
            json.beginObject().name("topic").value(t.topic()).name("bytes").value(t.bytes()).endObject();
        }
        return json.endArray().name("more").value(page.more()).endObject().toString();
    }

    /** A query parameter as a number clamped to [min, max]; {@code absent} when missing or not a number. */
    private static int parameter(QueryStringDecoder uri, String name, int min, int max, int absent) {
        List<String> values = uri.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return absent;
        }
        try {
            return (int) Math.max(min, Math.min(max, Long.parseLong(values.get(0).trim())));
        } catch (NumberFormatException e) {
            return absent;
        }
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
    /** The request's path and query, or null when its %-escapes are malformed (answered 400). */
    private static QueryStringDecoder uri(String uri) {
        try {
            QueryStringDecoder decoded = new QueryStringDecoder(uri);
            decoded.path(); // decodes now: a bad escape throws here, not later
            decoded.parameters();
            return decoded;
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
        return response(HttpResponseStatus.OK, JSON, body);
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
    private void later(Reply reply, CompletableFuture<FullHttpResponse> answer) {
        answer.whenComplete((response, error) -> reply.ctx().executor().execute(() -> {
            if (error != null) {
                LOG.warn("HTTP API request failed: {}", error.toString());
                send(reply, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal server error.\n"));
            } else {
                send(reply, response);
            }
        }));
    }

    /** Every answer leaves here, with the CORS headers the policy gives the requesting page. */
    private void send(Reply reply, FullHttpResponse response) {
        ChannelHandlerContext ctx = reply.ctx();
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        cors.apply(reply.origin(), response);
        boolean keepAlive = reply.keepAlive();
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
