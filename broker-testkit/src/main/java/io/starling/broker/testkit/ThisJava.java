package io.starling.broker.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts another JVM like the one running the tests: the same java executable, and compact
 * object headers when they are on here. Tests that start the broker as a process use it, so that the build's
 * JDK 25 execution (pom.xml, profile second-jdk) tests the broker on JDK 25 and not on whatever `java` the
 * PATH has.
 */
public final class ThisJava {
    private ThisJava() {
    }

    /** {@code <java.home>/bin/java}, then -XX:+UseCompactObjectHeaders if this JVM uses them. */
    public static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (compactObjectHeaders()) {
            command.add("-XX:+UseCompactObjectHeaders");
        }
        return command;
    }

    /** The command with more arguments after it. */
    public static List<String> command(String... arguments) {
        List<String> command = command();
        command.addAll(List.of(arguments));
        return command;
    }

    private static boolean compactObjectHeaders() {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseCompactObjectHeaders").getValue());
        } catch (IllegalArgumentException e) { // a JDK before 24: no such option
            return false;
        }
    }
}
