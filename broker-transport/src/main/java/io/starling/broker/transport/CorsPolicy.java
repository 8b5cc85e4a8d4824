package io.starling.broker.transport;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Set;

/**
 * Which web pages may read the HTTP API from a browser (Fetch standard, "CORS protocol"). By default
 * none: without an {@code Access-Control-Allow-Origin} header a browser keeps the answer from any
 * page served elsewhere, so a page the operator happens to open cannot read {@code /api/v1/clients}
 * from a broker on 127.0.0.1. With {@code http_cors_origin} the listed origins may, with their HTTP
 * Basic credentials; {@code *} lets any page read what needs no login (browsers never send
 * credentials to {@code *}).
 *
 * <p>A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) carries no credentials,
 * so it is answered here, before any login: 204 with the allowed method and header for a listed
 * origin, 403 otherwise. Immutable.
 */
final class CorsPolicy {
    private static final String ANY = "*";
    /** How long a browser may reuse a preflight answer, in seconds. */
    private static final String MAX_AGE = "600";

    private final Set<String> origins;

    CorsPolicy(List<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    /** Whether {@code request} is a CORS preflight; only those with a policy in force are answered as such. */
    boolean isPreflight(FullHttpRequest request) {
        return !origins.isEmpty() && request.method().equals(HttpMethod.OPTIONS)
                && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** The answer to a preflight: the API serves GET only, with an {@code Authorization} header. */
    FullHttpResponse preflight(FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        boolean allowed = allows(origin);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                allowed ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.FORBIDDEN);
        HttpUtil.setContentLength(r, 0);
        r.headers().set(HttpHeaderNames.VARY, "Origin");
        if (allowed) {
            allowOrigin(r, origin);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, HttpMethod.GET.name());
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization");
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        }
        return r;
    }

    /** Adds the CORS headers to an answer to a request with {@code origin} (null: none). */
    FullHttpResponse apply(String origin, FullHttpResponse response) {
        if (origins.isEmpty()) {
            return response;
        }
        response.headers().set(HttpHeaderNames.VARY, "Origin"); // caches must keep answers apart
        if (origin != null && allows(origin)) {
            allowOrigin(response, origin);
        }
        return response;
    }

    private boolean allows(String origin) {
        return origin != null && (origins.contains(origin) || origins.contains(ANY));
    }

    private void allowOrigin(FullHttpResponse r, String origin) {
        if (origins.contains(origin)) {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        } else {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
        }
    }
}
