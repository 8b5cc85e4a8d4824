package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Properties;

/**
 * What a client said in its CONNECT about what it accepts (MQTT 5 §3.1.2.11), with the
 * specification's defaults for 3.1.1 clients and for properties a 5.0 client left out.
 *
 * @param receiveMaximum       unacknowledged QoS 1/2 PUBLISH packets it accepts at once
 * @param maximumPacketSize    the largest packet it accepts, in bytes
 * @param topicAliasMaximum    topic aliases the broker may assign when sending to it (0 = none)
 * @param problemInformation   whether reason strings and user properties may be sent on errors
 */
record ClientLimits(int receiveMaximum, long maximumPacketSize, int topicAliasMaximum, boolean problemInformation) {
    static final long UNLIMITED_PACKET_SIZE = 268_435_460L;
    static final ClientLimits V3 = new ClientLimits(65535, UNLIMITED_PACKET_SIZE, 0, true);

    static ClientLimits of(Connect connect) {
        if (!connect.version().isV5()) {
            return V3;
        }
        Properties p = connect.properties();
        return new ClientLimits((int) p.number(PropertyId.RECEIVE_MAXIMUM, 65535),
                p.number(PropertyId.MAXIMUM_PACKET_SIZE, UNLIMITED_PACKET_SIZE),
                (int) p.number(PropertyId.TOPIC_ALIAS_MAXIMUM, 0),
                p.number(PropertyId.REQUEST_PROBLEM_INFORMATION, 1) == 1);
    }
}
