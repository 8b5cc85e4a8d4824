package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests the HTTP API cannot take still get an answer (found by {@link HttpApiFuzzTest}). */
class HttpApiHandlerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final BrokerCore core = new BrokerCore(BrokerSettings.defaults());
    /** What the fake broker answers for /api/v1/cluster; null: no cluster. */
    private Map<String, Object> cluster;

    HttpApiHandlerTest() {
        HttpApiOptions options = new HttpApiOptions(null, null, false, null, List.of(), new EmptyApi() {
            @Override
            public CompletableFuture<Map<String, Object>> cluster() {
                return CompletableFuture.completedFuture(cluster);
            }
        });
        HttpApiListener.addHttpHandlers(channel, core, options, new StaticFiles(null));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aPathWithAMalformedPercentEscape_isAnswered400() {
        FullHttpResponse response = exchange("GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(channel.isOpen()).as("the request was whole: the connection goes on").isTrue();
        } finally {
            response.release();
        }
    }

    @Test
    void aRequestNettyCannotParse_isAnswered400AndClosed() {
        FullHttpResponse response = exchange("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(10_000) + "\r\n\r\n");
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(channel.isOpen()).isFalse();
        } finally {
            response.release();
        }
    }

    @Test
    void clusterWithoutACluster_isEnabledFalse() {
        FullHttpResponse response = exchange("GET /api/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(response.headers().get("Content-Type")).startsWith("application/json");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"enabled\":false}");
        } finally {
            response.release();
        }
    }

    @Test
    void clusterWithACluster_isTheBrokersTreeAsJson_enabledFirst() {
        Map<String, Object> link = new java.util.LinkedHashMap<>();
        link.put("node", "b\"2");
        link.put("connected", true);
        link.put("forwardedOut", 7L);
        cluster = new java.util.LinkedHashMap<>();
        cluster.put("node", "a");
        cluster.put("leader", null);
        cluster.put("term", 3);
        cluster.put("links", List.of(link));

        FullHttpResponse response = exchange("GET /api/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"enabled\":true,\"node\":\"a\","
                    + "\"leader\":null,\"term\":3,\"links\":[{\"node\":\"b\\\"2\",\"connected\":true,\"forwardedOut\":7}]}");
        } finally {
            response.release();
        }
    }

    @Test
    void clusterForAUserWhoMayNotReadTheClustersSysTopics_is403() {
        cluster = Map.of("node", "a");
        core.replaceSecurity(Authenticator.anonymous(true), new Authorizer() {
            @Override
            public Access canPublish(ClientIdentity client, String topic) {
                return Access.ALLOW;
            }

            @Override
            public Access canRead(ClientIdentity client, String topic) {
                return topic.startsWith("$SYS/broker/cluster/") ? Access.DENY : Access.ALLOW;
            }
        });

        FullHttpResponse response = exchange("GET /api/v1/cluster HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertThat(response.status().code()).isEqualTo(403);
        } finally {
            response.release();
        }
    }

    private FullHttpResponse exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 16));
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            client.writeInbound(out);
        }
        FullHttpResponse response = client.readInbound();
        assertThat(response).as("an answer").isNotNull();
        client.finishAndReleaseAll();
        return response;
    }

    private static class EmptyApi implements HttpApi {
        @Override
        public String metrics() {
            return "";
        }

        @Override
        public CompletableFuture<Map<String, Long>> sysTree() {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public List<Listener> listeners() {
            return List.of();
        }

        @Override
        public CompletableFuture<ClientPage> clients(int offset, int limit) {
            return CompletableFuture.completedFuture(new ClientPage(List.of(), false));
        }

        @Override
        public CompletableFuture<RetainedPage> retainedTopics(int offset, int limit, Predicate<String> visible) {
            return CompletableFuture.completedFuture(new RetainedPage(List.of(), false));
        }

        @Override
        public String version() {
            return "0";
        }
    }
}
