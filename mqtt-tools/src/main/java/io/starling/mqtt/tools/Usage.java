package io.starling.mqtt.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The {@code --help} texts of {@code starling pub} and {@code starling sub}: mosquitto's, with our names. */
final class Usage {
    private Usage() {
    }

    static String of(ClientArguments.Tool tool) {
        String name = tool == ClientArguments.Tool.PUB ? "pub-usage.txt" : "sub-usage.txt";
        try (InputStream in = Usage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code --version} line. */
    static String version(ClientArguments.Tool tool) {
        String name = tool == ClientArguments.Tool.PUB ? "pub" : "sub";
        return "starling " + name + " version 0.1.0, compatible with " + tool.mosquittoName + " 2.0.\n";
    }
}
