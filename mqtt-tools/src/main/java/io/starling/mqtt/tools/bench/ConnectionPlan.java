package io.starling.mqtt.tools.bench;

import io.starling.mqtt.tools.client.ClientOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a bench run connects: {@code base} holds what all its clients share (server, version, keep alive,
 * clean start, credentials, TLS); each client gets the identifier {@code clientIdPrefix + index} (index
 * from 1), the next of {@code sourceAddresses} (when given) and a loop of the run's own group of
 * {@code threads} event loops.
 *
 * @param connectInterval pause between starting two connections; zero starts them as fast as the server
 *                        accepts them, at most {@link Connections#MAX_PENDING} at a time
 * @param duration        how long the run lasts once connected; zero: until its limit, or Ctrl-C
 */
public record ConnectionPlan(ClientOptions base, int clients, Duration connectInterval,
                             List<InetAddress> sourceAddresses, String clientIdPrefix, Duration duration, int threads,
                             boolean progress) {
    public ConnectionPlan {
        Objects.requireNonNull(base);
        if (clients < 1) {
            throw new IllegalArgumentException("-c: at least one client");
        }
        if (connectInterval.isNegative() || duration.isNegative()) {
            throw new IllegalArgumentException("negative interval or duration");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads: at least 1");
        }
        sourceAddresses = List.copyOf(sourceAddresses);
    }
}
