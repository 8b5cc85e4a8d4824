package io.starling.broker.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The Java runtime the broker runs on, as the start-up log names it: bin/starling chooses the newest JDK it
 * finds (bin/choose-java), and whoever reads the log should not have to guess which one that was. Read from
 * the running VM itself, so it is also true under a plain {@code java -jar}.
 */
final class JavaRuntime {
    private JavaRuntime() {
    }

    /** E.g. "Java 25.0.3 (Eclipse Adoptium) from /usr/lib/jvm/temurin-25-jdk-amd64, compact object headers on". */
    static String describe() {
        return "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") from "
                + System.getProperty("java.home") + ", compact object headers " + compactObjectHeaders();
    }

    /**
     * "on" or "off" as the VM has it (JDK 24+; -XX:+UseCompactObjectHeaders), "unavailable" on older JDKs,
     * whose VM does not know the option.
     */
    static String compactObjectHeaders() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot == null) {
                return "unavailable";
            }
            return Boolean.parseBoolean(hotspot.getVMOption("UseCompactObjectHeaders").getValue()) ? "on" : "off";
        } catch (IllegalArgumentException e) { // no such option: a JDK before 24 (or not HotSpot)
            return "unavailable";
        }
    }
}
