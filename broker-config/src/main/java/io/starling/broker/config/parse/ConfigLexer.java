package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a config file into its option lines, as mosquitto's reader does:
 * <ul>
 *   <li>a line whose very first character is {@code #} is a comment, as are empty lines; a {@code #}
 *       anywhere else is not special (mosquitto rejects {@code "  # x"} as the unknown option {@code #});</li>
 *   <li>leading spaces are skipped, trailing whitespace (CR of CRLF files included) is trimmed;</li>
 *   <li>the key ends at the first space; tabs are not separators (mosquitto rejects
 *       {@code listener<TAB>1883} as an unknown option, and so do we);</li>
 *   <li>option lines must be UTF-8 (comments may be anything).</li>
 * </ul>
 */
final class ConfigLexer {
    private ConfigLexer() {
    }

    /**
     * The option lines of {@code file}.
     *
     * @param includedBy the {@code include_dir} line that named this file, to blame when it cannot be
     *                   read; null for the main file
     */
    static List<ConfigLine> read(Path file, ConfigLine includedBy) throws ConfigException {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw failure(includedBy, "Config file " + name + " is a directory.");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw failure(includedBy, "Unable to open config file " + name + " (" + reason(e) + ").");
        }
        List<ConfigLine> lines = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            number++;
            ConfigLine line = line(name, number, bytes, start, end);
            if (line != null) {
                lines.add(line);
            }
            start = end + 1;
        }
        return lines;
    }

    private static ConfigLine line(String file, int number, byte[] bytes, int start, int end) throws ConfigException {
        if (start == end || bytes[start] == '#') {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, number, "Malformed UTF-8 in configuration.");
        }
        text = skipSpaces(text.stripTrailing());
        if (text.isEmpty()) {
            return null;
        }
        int space = text.indexOf(' ');
        if (space < 0) {
            return new ConfigLine(file, number, text, "");
        }
        return new ConfigLine(file, number, text.substring(0, space), skipSpaces(text.substring(space)));
    }

    private static String skipSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(i);
    }

    private static ConfigException failure(ConfigLine includedBy, String what) {
        return includedBy != null ? includedBy.error(what) : new ConfigException("Error: " + what);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
