package io.starling.broker.server.differential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one broker answered in one scenario: an event per {@code recv}, {@code closed} or
 * {@code silent} step both brokers take, and the failed expectations of any step.
 */
final class Transcript {
    /** One thing a connection received, or its close, or nothing; {@code bytes} masked (see {@link #mask}). */
    record Event(int line, String connection, String text, byte[] bytes) {
        boolean sameAs(Event other) {
            return line == other.line && connection.equals(other.connection) && Arrays.equals(bytes, other.bytes)
                    && (bytes != null || text.equals(other.text));
        }

        @Override
        public String toString() {
            return "line " + line + " " + connection + " <- " + text;
        }
    }

    static final String CLOSED = "(closed)";
    static final String NOTHING = "(nothing)";

    final String broker;
    final List<Event> events = new ArrayList<>();
    final List<String> unmet = new ArrayList<>();

    Transcript(String broker) {
        this.broker = broker;
    }

    /**
     * The bytes with what legitimately differs between two runs made equal: an assigned client
     * identifier ({@code auto-} and 36 characters) becomes {@code auto-} and 36 {@code x}.
     */
    static byte[] mask(byte[] bytes) {
        byte[] out = bytes.clone();
        byte[] prefix = "auto-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i + prefix.length + 36 <= out.length; i++) {
            if (Arrays.equals(out, i, i + prefix.length, prefix, 0, prefix.length)) {
                Arrays.fill(out, i + prefix.length, i + prefix.length + 36, (byte) 'x');
                i += prefix.length + 35;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        events.forEach(e -> s.append(broker).append(": ").append(e).append('\n'));
        unmet.forEach(u -> s.append(broker).append(": UNMET ").append(u).append('\n'));
        return s.toString();
    }

    /** Both transcripts line by line, the first difference marked; null when they agree. */
    static String difference(Transcript expected, Transcript actual) {
        int n = Math.max(expected.events.size(), actual.events.size());
        int first = -1;
        for (int i = 0; i < n && first < 0; i++) {
            if (i >= expected.events.size() || i >= actual.events.size()
                    || !expected.events.get(i).sameAs(actual.events.get(i))) {
                first = i;
            }
        }
        if (first < 0) {
            return null;
        }
        StringBuilder s = new StringBuilder(actual.broker + " answered differently from " + expected.broker + ":\n");
        for (int i = 0; i < n; i++) {
            String mark = i == first ? ">> " : "   ";
            if (i < expected.events.size()) {
                s.append(mark).append(expected.broker).append(": ").append(expected.events.get(i)).append('\n');
            }
            if (i < actual.events.size() && (i >= expected.events.size()
                    || !expected.events.get(i).sameAs(actual.events.get(i)))) {
                s.append(mark).append(actual.broker).append(":  ").append(actual.events.get(i)).append('\n');
            }
        }
        return s.toString();
    }
}
