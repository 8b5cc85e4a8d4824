package io.starling.mqtt.tools;

import java.io.IOException;
import java.nio.file.Path;

/** Public access to {@link Mosquitto}'s broker for the client package's tests. */
public final class MosquittoBrokers {
    private MosquittoBrokers() {
    }

    /** A running mosquitto broker. */
    public static final class Broker implements AutoCloseable {
        private final Mosquitto mosquitto;

        Broker(Mosquitto mosquitto) {
            this.mosquitto = mosquitto;
        }

        public int port() {
            return mosquitto.port();
        }

        @Override
        public void close() throws InterruptedException {
            mosquitto.close();
        }
    }

    public static boolean installed() {
        return Mosquitto.installed();
    }

    public static Broker start(Path dir, String extra) throws IOException, InterruptedException {
        return new Broker(Mosquitto.start(dir, extra));
    }

    /** A broker that refuses every CONNECT: no anonymous clients and no password file. */
    public static Broker startClosed(Path dir) throws IOException, InterruptedException {
        return new Broker(Mosquitto.startClosed(dir));
    }

    public static int freePort() throws IOException {
        return Mosquitto.freePort();
    }
}
