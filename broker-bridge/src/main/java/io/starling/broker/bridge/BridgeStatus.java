package io.starling.broker.bridge;

/**
 * What a bridge is doing, for {@code $SYS}, {@code /metrics} and the logs; read from any thread.
 *
 * @param name             the {@code connection} name
 * @param connected        the remote session is up
 * @param address          the remote address it is connected or connecting to
 * @param messagesSent     PUBLISHes passed to the remote broker since start
 * @param messagesReceived PUBLISHes taken from the remote broker since start
 * @param connects         remote connections made since start
 */
public record BridgeStatus(String name, boolean connected, String address, long messagesSent, long messagesReceived,
                           long connects) {
}
