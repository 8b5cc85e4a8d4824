package io.starling.mqtt.tools;

import io.starling.broker.core.auth.file.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The edits {@code starling passwd} makes to a password file's lines. Other users' lines are kept as
 * they are; so are comment ({@code #}) and blank lines, which the broker skips (mosquitto_passwd
 * calls them corrupt). A line it can't read stops the edit with mosquitto_passwd's "Corrupt password
 * file at line N".
 */
final class PasswdLines {

    /** A line that is neither a comment, blank, nor {@code user:password}. */
    static final class Corrupt extends Exception {
        final int line;

        Corrupt(int line) {
            super("Error: Corrupt password file at line " + line + ".", null, false, false);
            this.line = line;
        }
    }

    /** A user's line, split as mosquitto_passwd splits it: the password ends at the next ':'. */
    record Entry(String username, String password) {
    }

    private PasswdLines() {
    }

    /** @return null for a comment or blank line */
    static Entry entry(String line, int number) throws Corrupt {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new Corrupt(number);
        }
        String username = text.substring(0, colon).strip();
        int end = text.indexOf(':', colon + 1);
        String password = text.substring(colon + 1, end < 0 ? text.length() : end).strip();
        if (username.isEmpty() || password.isEmpty()) {
            throw new Corrupt(number);
        }
        return new Entry(username, password);
    }

    /** Replaces the user's line (dropping any repeat of it), or adds one at the end. */
    static List<String> update(List<String> lines, String username, String userLine) throws Corrupt {
        List<String> out = new ArrayList<>(lines.size() + 1);
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            Entry entry = entry(lines.get(i), i + 1);
            if (entry == null || !entry.username().equals(username)) {
                out.add(lines.get(i));
            } else if (!found) {
                out.add(userLine);
                found = true;
            }
        }
        if (!found) {
            out.add(userLine);
        }
        return out;
    }

    /** @return the lines without the user's, or null when the user has none */
    static List<String> delete(List<String> lines, String username) throws Corrupt {
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Entry entry = entry(lines.get(i), i + 1);
            if (entry == null || !entry.username().equals(username)) {
                out.add(lines.get(i));
            }
        }
        return out.size() == lines.size() ? null : out;
    }

    /**
     * Hashes each plain-text password with {@code hasher} (password bytes to the stored form). A line
     * that already holds a hash Starling reads is kept: running {@code -U} twice does not hash a hash,
     * which mosquitto_passwd does.
     */
    static List<String> upgrade(List<String> lines, Function<byte[], String> hasher) throws Corrupt {
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Entry entry = entry(lines.get(i), i + 1);
            if (entry == null || isHash(entry.password())) {
                out.add(lines.get(i));
            } else {
                out.add(entry.username() + ":" + hasher.apply(entry.password().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static boolean isHash(String stored) {
        try {
            PasswordHash.decode(stored);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
