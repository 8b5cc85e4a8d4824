package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListenerBlocksTest extends ConfigTestSupport {

    @Test
    void listenerLines_withAndWithoutAddress_areReadInOrder() throws Exception {
        BrokerConfig c = read("listener 1883\nlistener 1884 127.0.0.1\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null), new ListenerConfig(1884, "127.0.0.1"));
    }

    @Test
    void perListenerOptions_applyToTheListenerAbove() throws Exception {
        BrokerConfig c = read("""
                listener 1883
                max_connections 10
                listener 8080 127.0.0.1
                protocol websockets
                socket_domain ipv4
                mount_point ws/
                max_qos 1
                max_topic_alias 0
                listener 1885
                socket_domain ipv6
                maximum_qos 0
                """);
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig(1883, null, Protocol.MQTT, SocketDomain.ANY, 10, null, 2, 10, TlsConfig.NONE, null),
                new ListenerConfig(8080, "127.0.0.1", Protocol.WEBSOCKETS, SocketDomain.IPV4, -1, "ws/", 1, 0,
                        TlsConfig.NONE, null),
                new ListenerConfig(1885, null, Protocol.MQTT, SocketDomain.IPV6, -1, null, 0, 10, TlsConfig.NONE, null));
    }

    @Test
    void protocolMqtt_isTheDefault() throws Exception {
        BrokerConfig c = read("listener 1883\nprotocol mqtt\n");
        assertThat(c.listeners().get(0).protocol()).isEqualTo(Protocol.MQTT);
    }

    @Test
    void negativeMaxConnections_meansNoLimit() throws Exception {
        BrokerConfig c = read("listener 1883\nmax_connections -5\n");
        assertThat(c.listeners().get(0).maxConnections()).isEqualTo(-1);
    }

    @Test
    void mountPoint_isTheRestOfTheLine() throws Exception {
        BrokerConfig c = read("listener 1883\nmount_point tenant a/\n");
        assertThat(c.listeners().get(0).mountPoint()).isEqualTo("tenant a/");
    }

    @Test
    void legacyPortAndBindAddress_makeTheDefaultListener() throws Exception {
        BrokerConfig c = read("port 1999\nbind_address 127.0.0.1\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1999, "127.0.0.1"));
    }

    @Test
    void bindAddressAlone_listensOn1883() throws Exception {
        BrokerConfig c = read("bind_address 127.0.0.1\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, "127.0.0.1"));
    }

    @Test
    void repeatedPort_lastWins_withMosquittosWarning() throws Exception {
        BrokerConfig c = read("port 1884\nport 1885\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1885, null));
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "Default listener port specified multiple times. Only the latest will be used."));
    }

    @Test
    void defaultListener_comesAfterTheListenerBlocks_asInMosquitto() throws Exception {
        BrokerConfig c = read("port 1884\nlistener 1885\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1885, null), new ListenerConfig(1884, null));
    }

    @Test
    void optionsBeforeTheFirstListener_configureTheDefaultListener() throws Exception {
        BrokerConfig c = read("port 8883\nmax_connections 5\nprotocol websockets\nlistener 1883\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null),
                new ListenerConfig(8883, null, Protocol.WEBSOCKETS, SocketDomain.ANY, 5, null, 2, 10, TlsConfig.NONE, null));
    }

    @Test
    void portAfterAListenerBlock_stillSetsTheDefaultListener() throws Exception {
        BrokerConfig c = read("listener 1885\nmax_qos 1\nport 1884\n");
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig(1885, null, Protocol.MQTT, SocketDomain.ANY, -1, null, 1, 10, TlsConfig.NONE, null),
                new ListenerConfig(1884, null));
    }

    @Test
    void perListenerOptionBeforeAnyListener_opensTheDefaultListenerOn1883_asMosquittoDoes() throws Exception {
        BrokerConfig c = read("protocol websockets\n");
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig(1883, null, Protocol.WEBSOCKETS, SocketDomain.ANY, -1, null, 2, 10, TlsConfig.NONE, null));
    }

    @Test
    void perListenerOptionsAtTheirDefaultBeforeAnyListener_openNothing() throws Exception {
        BrokerConfig c = read("max_connections -1\nprotocol mqtt\nmax_qos 2\nlistener 1883\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null));
    }

    @Test
    void listenerWithACommentAfterThePort_hasNoAddress() throws Exception {
        BrokerConfig c = read("listener 1883 # the MQTT port\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void listenerWithExtraWords_warns() throws Exception {
        BrokerConfig c = read("listener 1883 127.0.0.1 extra\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, "127.0.0.1"));
        assertThat(c.warnings()).containsExactly(warningAt(1, "text after the listener value was ignored: 'extra'."));
    }

    @Test
    void unixSocketListener_isIgnoredWithAWarning_andItsOptionsToo() throws Exception {
        BrokerConfig c = read("listener 0 /run/mosquitto.sock\nmax_connections 3\nlistener 1883\n");
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null));
        assertThat(c.warnings()).containsExactly(
                warningAt(1, "'listener 0 /run/mosquitto.sock' (a Unix socket) is not supported yet and was ignored."));
    }

    @Test
    void repeatedScalarOnOneListener_lastWins_withAWarning() throws Exception {
        BrokerConfig c = read("listener 1883\nmax_qos 1\nmax_qos 0\n");
        assertThat(c.listeners().get(0).maxQos()).isZero();
        assertThat(c.warnings()).containsExactly(warningAt(3, "max_qos was already set at " + main()
                + ":2; this later value is used."));
    }

    @Test
    void sameOptionOnTwoListeners_isNoRepeat() throws Exception {
        BrokerConfig c = read("listener 1883\nmount_point a/\nlistener 1884\nmount_point b/\n");
        assertThat(c.listeners()).extracting(ListenerConfig::mountPoint).containsExactly("a/", "b/");
        assertThat(c.warnings()).isEmpty();
    }
}
