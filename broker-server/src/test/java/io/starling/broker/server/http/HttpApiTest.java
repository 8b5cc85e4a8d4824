package io.starling.broker.server.http;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.server.Broker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code http_api} listener through {@link HttpClient}: Prometheus metrics that move with the
 * traffic, mosquitto 2.1's JSON shapes, HTTP Basic auth against the password file, the ACL on
 * $SYS values, and static files.
 */
@Timeout(60)
class HttpApiTest {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;


    /** A broker with an MQTT listener on {@code mqttPort} and an http_api listener on {@code httpPort}. */
    private Broker start(int mqttPort, int httpPort, String mqttOptions, String httpOptions) throws Exception {
        Path conf = Files.writeString(dir.resolve("starling.conf"), "listener " + mqttPort + " 127.0.0.1\n"
                + mqttOptions + "\nlistener " + httpPort + " 127.0.0.1\nprotocol http_api\n" + httpOptions + "\n");
        return Broker.start(ConfigFile.read(conf));
    }

    private HttpResponse<String> get(int port, String path, String... userAndPassword) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (userAndPassword.length == 2) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (userAndPassword[0] + ":" + userAndPassword[1]).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of a Prometheus text page, "name{labels}" → value; fails on a line that is no sample. */
    private static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    @Test
    void metrics_parseAsPrometheusText_andMoveWhenClientsConnectAndPublish() throws Exception {
        int mqtt = freePort();
        int port = freePort();
        try (Broker broker = start(mqtt, port, "allow_anonymous true", "")) {
            HttpResponse<String> before = get(port, "/metrics");
            assertThat(before.statusCode()).isEqualTo(200);
            assertThat(before.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            Map<String, Double> m0 = parseMetrics(before.body());
            assertThat(m0).containsEntry("starling_clients_connected", 0.0)
                    .containsEntry("starling_messages_received_total{qos=\"1\"}", 0.0)
                    .containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}")
                    .containsKey("starling_messages_dropped_total{reason=\"queue_full\"}")
                    .containsKey("starling_disconnects_total{reason=\"client\"}")
                    .containsKey("starling_queue_messages");

            MqttClient sub = new MqttClient("tcp://127.0.0.1:" + mqtt, "metrics-sub", new MemoryPersistence());
            sub.connect();
            sub.subscribe("m/#", 1);
            MqttClient pub = new MqttClient("tcp://127.0.0.1:" + mqtt, "metrics-pub", new MemoryPersistence());
            pub.connect();
            pub.publish("m/a", "12345".getBytes(StandardCharsets.UTF_8), 1, false);
            pub.publish("m/retained", "r".getBytes(StandardCharsets.UTF_8), 0, true);
            pub.disconnect();
            pub.close();
            Thread.sleep(200);

            Map<String, Double> m1 = parseMetrics(get(port, "/metrics").body());
            assertThat(m1).containsEntry("starling_clients_connected", 1.0)
                    .containsEntry("starling_messages_received_total{qos=\"1\"}", 1.0)
                    .containsEntry("starling_messages_received_total{qos=\"0\"}", 1.0)
                    .containsEntry("starling_message_payload_received_bytes_total{qos=\"1\"}", 5.0)
                    .containsEntry("starling_messages_sent_total{qos=\"1\"}", 1.0)
                    .containsEntry("starling_subscriptions{type=\"normal\"}", 1.0)
                    .containsEntry("starling_disconnects_total{reason=\"client\"}", 1.0)
                    .containsEntry("starling_connects_received_total", 2.0);
            assertThat(m1.get("starling_retained_messages")).as("one more besides the $SYS ones")
                    .isEqualTo(m0.get("starling_retained_messages") + 1);
            assertThat(m1.get("starling_network_received_bytes_total")).isGreaterThan(m0.get("starling_network_received_bytes_total"));
            sub.disconnect();
            sub.close();
        }
    }

    private HttpResponse<String> fromPage(int port, String method, String path, String origin, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutHttpCorsOrigin_noPageElsewhereMayReadTheApi() throws Exception {
        int port = freePort();
        try (Broker broker = start(freePort(), port, "allow_anonymous true", "")) {
            for (String path : new String[] {"/api/v1/clients", "/api/v1/systree", "/api/v1/version", "/metrics"}) {
                HttpResponse<String> r = fromPage(port, "GET", path, "http://evil.example");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).isEmpty();
            }
            HttpResponse<String> preflight = fromPage(port, "OPTIONS", "/api/v1/clients", "http://evil.example",
                    "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
        }
    }

    @Test
    void httpCorsOrigin_letsThatOriginOnlyReadTheApi_withCredentials_andAnswersItsPreflight() throws Exception {
        int port = freePort();
        Path passwords = Files.writeString(dir.resolve("pw"), "admin:" + PasswordHash.hash7("secret") + "\n");
        try (Broker broker = start(freePort(), port, "password_file " + passwords,
                "http_cors_origin https://console.example.com")) {
            HttpResponse<String> preflight = fromPage(port, "OPTIONS", "/api/v1/clients", "https://console.example.com",
                    "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
            assertThat(preflight.statusCode()).as("preflight carries no credentials: answered before the login")
                    .isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Authorization");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
            assertThat(preflight.headers().allValues("Vary")).contains("Origin");

            HttpResponse<String> r = fromPage(port, "GET", "/api/v1/clients", "https://console.example.com",
                    "Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
            assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

            HttpResponse<String> other = fromPage(port, "GET", "/api/v1/clients", "http://evil.example");
            assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            HttpResponse<String> otherPreflight = fromPage(port, "OPTIONS", "/api/v1/clients", "http://evil.example",
                    "Access-Control-Request-Method", "GET");
            assertThat(otherPreflight.statusCode()).isEqualTo(403);
            assertThat(otherPreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            HttpResponse<String> post = fromPage(port, "OPTIONS", "/api/v1/clients", "https://console.example.com",
                    "Access-Control-Request-Method", "DELETE");
            assertThat(post.headers().firstValue("Access-Control-Allow-Methods")).as("only GET is served").hasValue("GET");
        }
    }

    @Test
    void systree_isMosquittosShape_anObjectOfTopicToInteger() throws Exception {
        int port = freePort();
        try (Broker broker = start(freePort(), port, "allow_anonymous true", "")) {
            HttpResponse<String> r = get(port, "/api/v1/systree");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.body()).matches("\\{(\"\\$SYS/broker/[a-z_/ ]+\":-?\\d+,)*\"\\$SYS/broker/uptime\":\\d+}");
            assertThat(r.body()).contains("\"$SYS/broker/clients/connected\":0", "\"$SYS/broker/messages/stored\":",
                    "\"$SYS/broker/retained messages/count\":", "\"$SYS/broker/bytes/received\":0");
            assertThat(r.body()).doesNotContain("clients/active", "broker/load/"); // aliases and loads: not in mosquitto's either
        }
    }

    @Test
    void listeners_isMosquittosShape_withThePortsBound() throws Exception {
        int mqtt = freePort();
        int port = freePort();
        try (Broker broker = start(mqtt, port, "allow_anonymous true", "")) {
            HttpResponse<String> r = get(port, "/api/v1/listeners");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"listeners\":["
                    + "{\"port\":" + mqtt + ",\"protocol\":\"mqtt\",\"tls\":false,\"mtls\":false,\"allow_anonymous\":true},"
                    + "{\"port\":" + port + ",\"protocol\":\"httpapi\",\"tls\":false,\"mtls\":false,\"allow_anonymous\":true}]}");
            assertThat(get(port, "/api/v1/version").body()).isEqualTo(Broker.VERSION);
        }
    }

    @Test
    void withAllowAnonymousFalse_everyPathButMetricsNeedsALoginFromThePasswordFile() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "admin:" + PasswordHash.hash7("secret") + "\n");
        int port = freePort();
        try (Broker broker = start(freePort(), port, "password_file " + passwords, "")) {
            HttpResponse<String> anonymous = get(port, "/api/v1/systree");
            HttpResponse<String> wrong = get(port, "/api/v1/listeners", "admin", "guess");
            HttpResponse<String> right = get(port, "/api/v1/listeners", "admin", "secret");
            HttpResponse<String> page = get(port, "/index.html");

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(page.statusCode()).isEqualTo(401);
            assertThat(get(port, "/metrics").statusCode()).as("http_metrics_auth false (the default)").isEqualTo(200);
        }
    }

    @Test
    void httpMetricsAuthTrue_asksForALoginOnMetricsToo() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "prometheus:" + PasswordHash.hash7("scrape") + "\n");
        int port = freePort();
        try (Broker broker = start(freePort(), port, "password_file " + passwords, "http_metrics_auth true")) {
            assertThat(get(port, "/metrics").statusCode()).isEqualTo(401);
            assertThat(get(port, "/metrics", "prometheus", "scrape").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void basicAuthFlood_beyondThePasswordCheckQueue_isAnswered503AndCounted() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"),
                "ops:" + PasswordHash.argon2id("o".getBytes(StandardCharsets.UTF_8)).encode() + "\n");
        int port = freePort();
        try (Broker broker = start(freePort(), port, "password_file " + passwords
                + "\npassword_check_threads 1\nmax_pending_password_checks 1", "")) {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/version"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                "ops:o".getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int busy = 0;
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(30, TimeUnit.SECONDS);
                if (r.statusCode() == 503) {
                    busy++;
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                } else {
                    assertThat(r.statusCode()).isEqualTo(200);
                    ok++;
                }
            }

            assertThat(ok).as("answered after the hash").isGreaterThanOrEqualTo(1);
            assertThat(busy).as("refused at once: one thread, one waiting place").isGreaterThanOrEqualTo(1);
            Map<String, Double> metrics = parseMetrics(get(port, "/metrics").body());
            assertThat(metrics).containsEntry("starling_password_checks_refused_total{reason=\"queue_full\"}",
                    (double) busy);
        }
    }

    @Test
    void systree_showsOnlyTheTopicsTheAclLetsTheUserRead() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "ops:" + PasswordHash.hash7("o") + "\n"
                + "bob:" + PasswordHash.hash7("b") + "\n");
        Path acl = Files.writeString(dir.resolve("acl"), "user ops\ntopic read $SYS/broker/clients/#\n\nuser bob\ntopic bob/#\n");
        int port = freePort();
        try (Broker broker = start(freePort(), port, "password_file " + passwords + "\nacl_file " + acl, "")) {
            String ops = get(port, "/api/v1/systree", "ops", "o").body();
            String bob = get(port, "/api/v1/systree", "bob", "b").body();

            assertThat(ops).contains("\"$SYS/broker/clients/connected\":0").doesNotContain("bytes", "uptime");
            assertThat(bob).isEqualTo("{}");
        }
    }

    @Test
    void consoleLists_showOnlyWhatTheAclLetsTheUserRead() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "ops:" + PasswordHash.hash7("o") + "\n"
                + "bob:" + PasswordHash.hash7("b") + "\n" + "dev:" + PasswordHash.hash7("d") + "\n");
        Path acl = Files.writeString(dir.resolve("acl"), "user ops\ntopic read $SYS/broker/clients/#\n\n"
                + "user bob\ntopic bob/#\n\nuser dev\ntopic #\n");
        int mqtt = freePort();
        int port = freePort();
        try (Broker broker = start(mqtt, port, "password_file " + passwords + "\nacl_file " + acl, "")) {
            MqttClient dev = new MqttClient("tcp://127.0.0.1:" + mqtt, "dev-box", new MemoryPersistence());
            org.eclipse.paho.client.mqttv3.MqttConnectOptions login = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            login.setUserName("dev");
            login.setPassword("d".toCharArray());
            dev.connect(login);
            dev.publish("bob/status", "up".getBytes(StandardCharsets.UTF_8), 1, true);
            dev.publish("plant/secret", "42".getBytes(StandardCharsets.UTF_8), 1, true);

            assertThat(get(port, "/api/v1/retained", "bob", "b").body())
                    .isEqualTo("{\"retained\":[{\"topic\":\"bob/status\",\"bytes\":2}],\"more\":false}");
            assertThat(get(port, "/api/v1/clients", "bob", "b").body()).isEqualTo("{\"clients\":[],\"more\":false}");
            assertThat(get(port, "/api/v1/retained", "ops", "o").body()).isEqualTo("{\"retained\":[],\"more\":false}");
            assertThat(get(port, "/api/v1/clients", "ops", "o").body()).contains("\"id\":\"dev-box\"", "\"username\":\"dev\"");
            assertThat(get(port, "/api/v1/retained", "dev", "d").body()).contains("bob/status", "plant/secret");
            dev.disconnect();
            dev.close();
        }
    }

    /** The topics of a /api/v1/retained answer, in order. */
    private static java.util.List<String> retainedTopics(String body) {
        java.util.List<String> topics = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\\{\"topic\":\"([^\"]*)\"").matcher(body);
        while (m.find()) {
            topics.add(m.group(1));
        }
        return topics;
    }

    @Test
    void retainedListing_isPagedWithOffsetAndLimit() throws Exception {
        int mqtt = freePort();
        int port = freePort();
        try (Broker broker = start(mqtt, port, "allow_anonymous true", "")) {
            MqttClient pub = new MqttClient("tcp://127.0.0.1:" + mqtt, "retainer", new MemoryPersistence());
            pub.connect();
            for (String topic : new String[] {"p/c", "p/a", "q", "p/b", "p/a/x"}) {
                pub.publish(topic, "v".getBytes(StandardCharsets.UTF_8), 1, true);
            }
            pub.disconnect();
            pub.close();

            String whole = get(port, "/api/v1/retained").body();
            java.util.List<String> all = retainedTopics(whole);
            java.util.List<String> paged = new java.util.ArrayList<>();
            for (int offset = 0; ; offset += 2) {
                String page = get(port, "/api/v1/retained?offset=" + offset + "&limit=2").body();
                java.util.List<String> topics = retainedTopics(page);
                assertThat(topics.size()).isLessThanOrEqualTo(2);
                paged.addAll(topics);
                if (page.endsWith("\"more\":false}")) {
                    break;
                }
                assertThat(page).endsWith("\"more\":true}");
            }

            assertThat(whole).endsWith("\"more\":false}");
            assertThat(paged).isEqualTo(all);
            assertThat(all.stream().filter(t -> !t.startsWith("$")).toList())
                    .containsExactly("p/a", "p/a/x", "p/b", "p/c", "q");
            assertThat(retainedTopics(get(port, "/api/v1/retained?limit=0").body())).isEmpty();
        }
    }

    @Test
    void clientListing_isPagedByClientId() throws Exception {
        int mqtt = freePort();
        int port = freePort();
        try (Broker broker = start(mqtt, port, "allow_anonymous true", "")) {
            java.util.List<MqttClient> clients = new java.util.ArrayList<>();
            for (String id : new String[] {"pg-c", "pg-a", "pg-b"}) {
                MqttClient c = new MqttClient("tcp://127.0.0.1:" + mqtt, id, new MemoryPersistence());
                c.connect();
                clients.add(c);
            }

            String second = get(port, "/api/v1/clients?offset=1&limit=1").body();
            String last = get(port, "/api/v1/clients?offset=2&limit=5").body();

            assertThat(second).contains("\"id\":\"pg-b\"").doesNotContain("pg-a", "pg-c").endsWith("\"more\":true}");
            assertThat(last).contains("\"id\":\"pg-c\"").doesNotContain("pg-a", "pg-b").endsWith("\"more\":false}");
            for (MqttClient c : clients) {
                c.disconnect();
                c.close();
            }
        }
    }

    @Test
    void otherMethodsAndUnknownPaths_getMosquittosAnswers() throws Exception {
        int port = freePort();
        try (Broker broker = start(freePort(), port, "allow_anonymous true", "")) {
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/systree"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.body()).isEqualTo("Invalid HTTP Method\n");
            assertThat(get(port, "/api/v2/anything").statusCode()).isEqualTo(404);
            assertThat(get(port, "/no-such-file.txt").body()).isEqualTo("Not found.\n");
        }
    }

    @Test
    void httpDir_servesItsFiles_andNothingOutsideIt() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "hello from http_dir");
        Files.writeString(dir.resolve("secret.txt"), "not for you");
        int port = freePort();
        try (Broker broker = start(freePort(), port, "allow_anonymous true", "http_dir " + www)) {
            HttpResponse<String> hello = get(port, "/hello.txt");

            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello from http_dir");
            assertThat(hello.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
            assertThat(get(port, "/../secret.txt").statusCode()).isEqualTo(404);
            assertThat(get(port, "/%2e%2e/secret.txt").statusCode()).isEqualTo(404);
        }
    }
}
