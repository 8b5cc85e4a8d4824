package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files an {@code include_dir} line reads: every {@code *.conf} in the directory (a name longer
 * than ".conf" itself), in mosquitto's order (mosquitto.conf(5)): case-insensitive alphabetical, the
 * upper case of a letter before its lower case, so 00, 01, A, a, B, b.
 */
final class IncludeDir {
    /** mosquitto's {@code scmp_p}: compares character by character, first ignoring case, then by case. */
    static final Comparator<String> MOSQUITTO_ORDER = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            int byLetter = Character.toUpperCase(x) - Character.toUpperCase(y);
            if (byLetter != 0) {
                return byLetter;
            }
            if (x != y) {
                return x - y;
            }
        }
        return a.length() - b.length();
    };

    private IncludeDir() {
    }

    /** The config files of the directory named by the line, in the order they are read. */
    static List<Path> files(ConfigLine line) throws ConfigException {
        Path dir = line.path();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.length() > ".conf".length() && name.endsWith(".conf")) {
                    names.add(name);
                }
            }
        } catch (IOException | SecurityException e) {
            throw line.error("Unable to open include_dir '" + line.text() + "'.");
        }
        names.sort(MOSQUITTO_ORDER);
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            files.add(dir.resolve(name));
        }
        return files;
    }
}
