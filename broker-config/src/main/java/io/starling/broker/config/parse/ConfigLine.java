package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One option line: {@code key value...}, with where it came from. The value is read the way mosquitto
 * reads it: words are separated by spaces; text values (paths, prefixes) are the whole rest of the line.
 * Errors and warnings name the file and line, and use mosquitto's phrases.
 *
 * @param value the rest of the line after the key, without leading spaces or trailing whitespace; may be empty
 */
record ConfigLine(String file, int number, String key, String value) {

    /** {@code file:line}. */
    String where() {
        return file + ":" + number;
    }

    ConfigException error(String what) {
        return new ConfigException(file, number, what);
    }

    String warning(String what) {
        return "Warning: " + where() + ": " + what;
    }

    /** The space-separated words of the value; empty when there is no value. */
    List<String> words() {
        return value.isEmpty() ? List.of() : Arrays.asList(value.split(" +"));
    }

    /** The first word of the value. */
    String word() throws ConfigException {
        if (value.isEmpty()) {
            throw empty();
        }
        return words().get(0);
    }

    /** The whole value, for text options whose value may contain spaces. */
    String text() throws ConfigException {
        if (value.isEmpty()) {
            throw empty();
        }
        return value;
    }

    /** The value as a path. */
    Path path() throws ConfigException {
        String text = text();
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw invalid(text);
        }
    }

    /** {@code true}/{@code false}; mosquitto also takes {@code 1}/{@code 0}. */
    boolean bool() throws ConfigException {
        String w = word();
        return switch (w) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw invalid(w);
        };
    }

    /** A decimal integer. Stricter than mosquitto's atoi(): {@code 10x} or {@code abc} is an error, not 10 or 0. */
    long integer() throws ConfigException {
        String w = word();
        if (!w.matches("[-+]?[0-9]{1,18}")) {
            throw invalid(w);
        }
        return Long.parseLong(w);
    }

    /** An integer in {@code [min, max]}; outside it is {@code Invalid <key> value (<v>).}, as mosquitto says. */
    int integer(long min, long max) throws ConfigException {
        long n = integer();
        if (n < min || n > max) {
            throw invalid(word());
        }
        return (int) n;
    }

    /** {@code Empty <key> value in configuration.} */
    ConfigException empty() {
        return error("Empty " + key + " value in configuration.");
    }

    /** {@code Invalid <key> value (<value>).} */
    ConfigException invalid(String shown) {
        return error("Invalid " + key + " value (" + shown + ").");
    }

    /**
     * A warning when a one-word option has more words, which mosquitto silently ignores (so a trailing
     * {@code # comment} is not an error), or null when there are none.
     */
    String extraWordsWarning(int used) {
        List<String> words = words();
        if (words.size() <= used) {
            return null;
        }
        String extra = String.join(" ", words.subList(used, words.size()));
        return warning("text after the " + key + " value was ignored: '" + extra + "'.");
    }
}
