package io.starling.broker.transport;

/** A pipeline user event: the broker is stopping, so the client should be told and disconnected. */
enum ShutdownEvent {
    INSTANCE
}
