/**
 * Bridges: mosquitto.conf {@code connection} sections. A {@link io.starling.broker.bridge.Bridge} is two MQTT
 * sessions and a relay between them: a client of the remote broker over Netty, and a client of this broker
 * inside the process ({@link io.starling.broker.bridge.LocalSide}, a core {@code Connection} without a socket).
 * Both are full sessions, so the broker's own queueing, persistence, flow control and QoS 2 state carry the
 * messages while either side is away; the bridge passes packets across one for one, with the same packet ids.
 */
package io.starling.broker.bridge;
