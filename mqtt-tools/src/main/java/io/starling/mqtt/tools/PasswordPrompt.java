package io.starling.mqtt.tools;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Asks for a password as mosquitto_passwd does: the prompt, the typed line without echo, then a newline.
 * Without a terminal (input piped in, or a test) the prompt goes to standard output and the line is
 * read from standard input, also as mosquitto_passwd does.
 */
interface PasswordPrompt {

    /**
     * @return the password's bytes without the line end (empty for an empty line), or null at end of input
     */
    byte[] read(String prompt) throws IOException;

    /** The terminal's console when there is one, else standard input and output. */
    static PasswordPrompt standard(InputStream in, PrintStream out) {
        Console console = System.console();
        return console != null ? fromConsole(console) : fromStreams(in, out);
    }

    /** Reads without echo; {@link Console#readPassword} prints the newline the user's Enter didn't. */
    static PasswordPrompt fromConsole(Console console) {
        return prompt -> {
            char[] typed = console.readPassword("%s", prompt);
            if (typed == null) {
                return null;
            }
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
            Arrays.fill(typed, '\0');
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        };
    }

    /** One line per prompt from {@code in}, its bytes as they are (mosquitto_passwd's fgets()). */
    static PasswordPrompt fromStreams(InputStream in, PrintStream out) {
        return prompt -> {
            out.print(prompt);
            out.flush();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            if (b == -1 && line.size() == 0) {
                return null;
            }
            byte[] bytes = line.toByteArray();
            int length = bytes.length;
            while (length > 0 && bytes[length - 1] == '\r') {
                length--;
            }
            if (length > 0) {
                out.println(); // mosquitto_passwd ends the prompt's line only after a password
            }
            return Arrays.copyOf(bytes, length);
        };
    }
}
