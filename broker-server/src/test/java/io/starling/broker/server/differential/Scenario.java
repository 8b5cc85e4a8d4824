package io.starling.broker.server.differential;

import java.util.List;
import java.util.Map;

/**
 * One differential scenario: config lines, files, and the steps several connections take, read from
 * a {@code .scenarios} file (format: {@code broker-server/src/test/resources/differential/README.md}).
 */
record Scenario(String file, int line, String title, List<String> conf, Map<String, String> files,
                List<Step> steps) {

    enum Kind { SEND, RECV, SILENT, OPEN, CLOSE, SLEEP, ALIGN, SIGHUP, RESTART, FILE }

    /**
     * One step. {@code broker} is null for a step both brokers take, else "mosquitto" or "starling"
     * with {@code differs} naming the row of docs/compatibility.md that explains why.
     *
     * @param bytes    what SEND writes, or what RECV expects (null: only "the same as mosquitto")
     * @param closed   RECV expects the broker to close the connection
     * @param millis   RECV/SILENT timeout, SLEEP duration, OPEN listener number
     * @param version  the MQTT version of the connection at this step, for reading what arrives
     */
    record Step(int line, Kind kind, String connection, String broker, String differs, byte[] bytes,
                boolean closed, long millis, int version, String name, String content) {

        boolean runsOn(String brokerName) {
            return broker == null || broker.equals(brokerName);
        }

        String where() {
            return "line " + line + (connection == null ? "" : " " + connection);
        }
    }

    @Override
    public String toString() {
        return file + ": " + title;
    }
}
