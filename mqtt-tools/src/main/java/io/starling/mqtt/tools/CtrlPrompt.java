package io.starling.mqtt.tools;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * mosquitto_ctrl's password prompts: the prompt on standard output, a line read without echo from the
 * terminal (or from standard input when there is none), and the line end the typist's Enter did not
 * print. A line with nothing in it, or the end of input, is "empty".
 */
final class CtrlPrompt {
    private final InputStream in;
    private final PrintStream out;
    private final Console console;

    CtrlPrompt(InputStream in, PrintStream out, Console console) {
        this.in = in;
        this.out = out;
        this.console = console;
    }

    /** The line typed after {@code prompt} ("" for an empty line), or null at the end of input. */
    String read(String prompt) throws IOException {
        out.print(prompt);
        out.flush();
        if (console != null) {
            char[] typed = console.readPassword();
            return typed == null ? null : new String(typed);
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * A new password typed twice (setClientPassword, init, and -u without -P when {@code verify} is null).
     * Empty: "Error: Empty password." and null; the two differ: "Error: Passwords do not match." and null.
     */
    String newPassword(String user, PrintStream err, boolean verify) throws IOException {
        String first = read((verify ? "New password for " : "Password for ") + user + ": ");
        if (first == null || first.isEmpty()) {
            err.print("Error: Empty password.\n");
            return null;
        }
        out.print("\n");
        if (!verify) {
            return first;
        }
        String second = read("Reenter password for " + user + ": ");
        out.print("\n");
        if (!first.equals(second)) {
            err.print("Error: Passwords do not match.\n");
            return null;
        }
        return first;
    }

    /**
     * createClient's optional password: Enter for none; typed once more to confirm, where the end of input
     * instead of the second line also means none (as mosquitto_ctrl). Mismatch: the message and null.
     */
    OptionalPassword optionalPassword(String user, PrintStream err) throws IOException {
        out.print("Enter new password for " + user + ". Press return for no password (user will be unable to login).\n");
        String first = read("New password for " + user + ": ");
        out.print("\n");
        if (first == null || first.isEmpty()) {
            return new OptionalPassword(true, null);
        }
        String second = read("Reenter password for " + user + ": ");
        out.print("\n");
        if (second == null) {
            return new OptionalPassword(true, null); // the input ended: no password, as mosquitto_ctrl
        }
        if (!first.equals(second)) {
            err.print("Error: Passwords do not match.\n");
            return new OptionalPassword(false, null);
        }
        return new OptionalPassword(true, first);
    }

    /** The outcome of {@link #optionalPassword}: whether to go on, and the password (null for none). */
    record OptionalPassword(boolean proceed, String password) {
    }
}
