package io.starling.broker.core;

import java.util.Objects;

/**
 * The broker-wide settings in force: the start's, or those a SIGHUP reload installed. Handlers and
 * sessions read {@link #get()} per packet or per message, so that a reload reaches connected clients
 * too, as mosquitto's (it reads its one config struct for every packet). The reload swaps the record
 * while every event loop is held between two reads ({@code LoopBarrier}), so no packet is handled
 * half under the old settings and half under the new.
 */
public final class LiveSettings {
    private volatile BrokerSettings current;

    public LiveSettings(BrokerSettings initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    public BrokerSettings get() {
        return current;
    }

    public void replace(BrokerSettings next) {
        this.current = Objects.requireNonNull(next, "next");
    }
}
