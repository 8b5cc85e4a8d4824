package io.starling.broker.server.differential;

/** A broker a scenario runs against, started from a mosquitto.conf both brokers read. */
interface BrokerUnderTest extends AutoCloseable {
    /** "mosquitto" or "starling", as scenarios name them in {@code conn@broker:} steps. */
    String name();

    /** Reloads as SIGHUP does, returning once the reload is in force. */
    void sighup() throws Exception;

    /** A clean stop and a start on the same conf and persistence directory. */
    void restart() throws Exception;

    @Override
    void close();
}
