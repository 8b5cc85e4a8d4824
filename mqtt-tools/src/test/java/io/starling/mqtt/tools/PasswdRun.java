package io.starling.mqtt.tools;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One run of {@code starling passwd} in this JVM, with typed input and captured output. */
record PasswdRun(int status, String out, String err) {

    static PasswdRun passwd(String... args) {
        return typing("", args);
    }

    /** {@code typed} is what arrives on standard input: lines for the password prompts. */
    static PasswdRun typing(String typed, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PasswordPrompt prompt = PasswordPrompt.fromStreams(
                new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)), outStream);
        int status = new PasswdCommand(outStream, errStream, prompt).run(List.of(args));
        return new PasswdRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
