package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.auth.file.AclFile;
import io.starling.broker.core.auth.file.PasswordFile;
import io.starling.broker.core.auth.file.PasswordFileAuthenticator;
import io.starling.broker.core.auth.file.PasswordHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API's request path, from bytes to the bytes answered (docs/fuzzing.md): the listener's
 * pipeline ({@link HttpApiListener#addHttpHandlers}) on an {@link EmbeddedChannel}, with a password
 * file, an ACL, an {@code http_dir} holding a symbolic link out of it, and a file beside it that must
 * never be served.
 *
 * <p>The first byte chooses the mode. Even: one whole request made of fuzzed parts (method, target,
 * an Authorization header made of a fuzzed user and password or fuzzed outright, Connection, a body
 * of up to 9000 bytes), which must get exactly one well-formed response with a status from the set
 * the API answers, and a closed connection when it asked for {@code Connection: close}. Odd: raw
 * bytes in fuzzed pieces, whose answers, if any, must be well-formed responses. In both, no
 * exception leaves the pipeline, the outside file never appears in an answer, and every buffer the
 * channel allocated is released once it is closed (per input, with a {@link TrackingAllocator}; and
 * by Netty's leak detector, paranoid in builds, per class).
 */
@ExtendWith(LeakCheck.class)
class HttpApiFuzzTest {
    private static final String SECRET = "SECRET-BESIDE-HTTP-DIR";
    private static final String ANSWERS_HEAD = "x-fuzz-answers-head";
    private static final Set<Integer> STATUSES = Set.of(200, 400, 401, 404, 405, 413, 417, 431, 500);
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "HEAD", "PUT", "OPTIONS", "get", "G ET"};
    private static final String[] PATHS = {
        "/metrics", "/api/v1/systree", "/api/v1/listeners", "/api/v1/version", "/api/v1/clients",
        "/api/v1/retained", "/api/v1/nothing", "/", "/index.html", "/sub/", "/link.txt", "/../secret.txt",
        "/%2e%2e/secret.txt", "/console/", "/app.js"
    };
    private static final BrokerCore CORE = new BrokerCore(BrokerSettings.defaults());
    private static final Path HTTP_DIR = httpDir();
    private static final SecurityRules RULES = rules();

    @FuzzTest(maxDuration = "5s")
    void anyRequest_isAnsweredWithAWellFormedResponse(FuzzedDataProvider data) {
        boolean structured = data.consumeBoolean();
        boolean anonymous = data.consumeBoolean();
        HttpApiOptions options = new HttpApiOptions(null, anonymous ? null : RULES, data.consumeBoolean(), HTTP_DIR,
                List.of(), new StubApi());
        EmbeddedChannel channel = new EmbeddedChannel();
        TrackingAllocator alloc = new TrackingAllocator();
        channel.config().setAllocator(alloc);
        HttpApiListener.addHttpHandlers(channel, CORE, options, new StaticFiles(HTTP_DIR));
        Methods methods = new Methods();
        channel.pipeline().addAfter("http", "methods", methods);
        List<FullHttpResponse> responses = new ArrayList<>();
        try {
            if (structured) {
                Request request = Request.from(data);
                byte[] bytes = request.bytes();
                channel.writeInbound(alloc.buffer(bytes.length).writeBytes(bytes));
                channel.runPendingTasks();
                responses.addAll(responses(channel, methods.seen));
                assertThat(responses).as("answers to %s", request).hasSize(1);
                if (request.close()) {
                    assertThat(channel.isOpen()).as("closed after answering %s", request).isFalse();
                }
            } else {
                while (data.remainingBytes() > 0 && channel.isOpen()) {
                    byte[] piece = data.consumeBytes(1 + data.consumeInt(0, 600));
                    channel.writeInbound(alloc.buffer(piece.length).writeBytes(piece));
                    channel.runPendingTasks();
                }
                responses.addAll(responses(channel, methods.seen));
            }
            for (FullHttpResponse r : responses) {
                assertThat(r.decoderResult().isSuccess()).as("a well-formed response: %s", r).isTrue();
                assertThat(STATUSES).as("status").contains(r.status().code());
                if (!r.headers().contains(ANSWERS_HEAD)) {
                    assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).as("Content-Length")
                            .isEqualTo(r.content().readableBytes());
                }
                assertThat(r.content().toString(StandardCharsets.ISO_8859_1)).doesNotContain(SECRET);
            }
            channel.checkException();
        } finally {
            responses.forEach(FullHttpResponse::release);
            channel.finishAndReleaseAll();
        }
        assertThat(alloc.unreleased()).as("buffers of the channel still referenced after it closed").isEmpty();
    }

    /**
     * Parses what the server wrote as a client would: knowing which requests were HEAD, whose answers
     * have headers only (as Netty's HttpClientCodec knows from the requests it sent).
     */
    private static List<FullHttpResponse> responses(EmbeddedChannel server, Deque<HttpMethod> methods) {
        HttpResponseDecoder decoder = new HttpResponseDecoder() {
            @Override
            protected boolean isContentAlwaysEmpty(HttpMessage msg) {
                int code = ((HttpResponse) msg).status().code();
                if (code == 100 || code == 101) {
                    return true;
                }
                if (HttpMethod.HEAD.equals(methods.poll())) {
                    msg.headers().set(ANSWERS_HEAD, "1"); // the test's own mark: headers only, by design
                    return true;
                }
                return super.isContentAlwaysEmpty(msg);
            }
        };
        EmbeddedChannel client = new EmbeddedChannel(decoder, new HttpObjectAggregator(1 << 20));
        for (Object out = server.readOutbound(); out != null; out = server.readOutbound()) {
            client.writeInbound(out);
        }
        client.finish();
        List<FullHttpResponse> responses = new ArrayList<>();
        for (Object in = client.readInbound(); in != null; in = client.readInbound()) {
            responses.add((FullHttpResponse) in);
        }
        return responses;
    }

    /** Notes the method of every request the server's codec reads (before the aggregator answers any). */
    private static final class Methods extends ChannelInboundHandlerAdapter {
        final Deque<HttpMethod> seen = new ArrayDeque<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) {
                seen.add(r.method());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** One request made of fuzzed parts; the target and header values hold no line breaks. */
    private record Request(String method, String target, String authorization, boolean close, byte[] body) {
        static Request from(FuzzedDataProvider data) {
            String method = data.pickValue(METHODS);
            String target = data.consumeBoolean() ? data.pickValue(PATHS) + oneLine(data.consumeString(40))
                    : oneLine(data.consumeString(300));
            String authorization = null;
            switch (data.consumeInt(0, 3)) {
                case 1 -> authorization = "Basic " + Base64.getEncoder().encodeToString(
                        (data.consumeBoolean() ? "alice:wonderland" : data.consumeString(40))
                                .getBytes(StandardCharsets.UTF_8));
                case 2 -> authorization = oneLine(data.consumeString(60));
                default -> { }
            }
            boolean close = data.consumeBoolean();
            byte[] body = data.consumeBoolean() ? new byte[data.consumeInt(0, 9000)] : new byte[0];
            return new Request(method, target, authorization, close, body);
        }

        private static String oneLine(String s) {
            return s.replace('\r', ' ').replace('\n', ' ').replace(' ', '+');
        }

        byte[] bytes() {
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target.isEmpty() ? "/" : target).append(" HTTP/1.1\r\n");
            head.append("Host: localhost\r\n");
            if (authorization != null) {
                head.append("Authorization: ").append(authorization).append("\r\n");
            }
            if (close) {
                head.append("Connection: close\r\n");
            }
            if (body.length > 0) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            return all;
        }
    }

    /** An http_dir with an index, a subdirectory, and a link to the secret file beside the directory. */
    private static Path httpDir() {
        try {
            Path root = Files.createTempDirectory("http-api-fuzz");
            Files.writeString(root.resolve("secret.txt"), SECRET);
            Path dir = Files.createDirectory(root.resolve("www"));
            Files.writeString(dir.resolve("index.html"), "<p>index</p>");
            Files.createDirectory(dir.resolve("sub"));
            Files.writeString(dir.resolve("sub").resolve("index.html"), "<p>sub</p>");
            Files.createSymbolicLink(dir.resolve("link.txt"), root.resolve("secret.txt"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** User alice (password wonderland) may read $SYS and public/#; anonymous clients may not log in. */
    private static SecurityRules rules() {
        try {
            PasswordFile passwords = PasswordFile.parse("passwords", List.of("alice:" + PasswordHash.hash7("wonderland")));
            AclFile acl = AclFile.parse("acl", List.of("user alice", "topic read $SYS/#", "topic read public/#"));
            return new SecurityRules(new PasswordFileAuthenticator(passwords, false), acl);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fixed answers, with strings that JSON must escape. */
    private static final class StubApi implements HttpApi {
        @Override
        public String metrics() {
            return "starling_up 1\n";
        }

        @Override
        public CompletableFuture<Map<String, Long>> sysTree() {
            return CompletableFuture.completedFuture(Map.of("$SYS/broker/uptime", 5L, HttpApiHandler.CLIENTS_TOPIC, 1L));
        }

        @Override
        public List<Listener> listeners() {
            return List.of(new Listener(1883, "mqtt", false, false, true));
        }

        @Override
        public CompletableFuture<ClientPage> clients(int offset, int limit) {
            return CompletableFuture.completedFuture(new ClientPage(List.of(
                    new ConnectedClient("c\"1\\\u0000\n\u2028é", null, "127.0.0.1:5000", "MQTT/5.0", 60, 1, 0, 0)), false));
        }

        @Override
        public CompletableFuture<RetainedPage> retainedTopics(int offset, int limit, Predicate<String> visible) {
            List<RetainedTopic> topics = new ArrayList<>();
            for (String t : List.of("public/a", "secret/b", "public/\"q\"")) {
                if (visible.test(t) && topics.size() < limit) {
                    topics.add(new RetainedTopic(t, 3));
                }
            }
            return CompletableFuture.completedFuture(new RetainedPage(topics, false));
        }

        @Override
        public String version() {
            return "0.1.0";
        }
    }
}
