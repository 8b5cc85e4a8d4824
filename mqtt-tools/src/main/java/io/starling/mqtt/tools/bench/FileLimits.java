package io.starling.mqtt.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The open-files limit ({@code ulimit -n}), read from {@code /proc/self/limits}: each connection is a
 * file descriptor, and a run that would hit the limit half-way is told so before it starts. The bench
 * never raises the limit itself.
 */
final class FileLimits {
    /** Descriptors the JVM and Netty use besides the connections (jars, epoll, pipes). */
    static final int RESERVED = 100;

    private FileLimits() {
    }

    /** {soft, hard}, or null where /proc is not there to say (not Linux). */
    static long[] openFiles() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return new long[] {number(f[0]), number(f[1])};
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static long number(String text) {
        return text.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(text);
    }

    /** The refusal for {@code connections} connections, or null when the limit allows them. */
    static String check(int connections, long[] limits) {
        if (limits == null || connections + RESERVED <= limits[0]) {
            return null;
        }
        return String.format("Error: %d connections need about %d open files, but ulimit -n is %d (hard limit %s)."
                        + " Raise it first, e.g. ulimit -n %s.", connections, connections + RESERVED, limits[0],
                limits[1] == Long.MAX_VALUE ? "unlimited" : Long.toString(limits[1]),
                limits[1] == Long.MAX_VALUE ? "1048576" : Long.toString(limits[1]));
    }
}
