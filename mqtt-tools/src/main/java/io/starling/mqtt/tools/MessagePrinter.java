package io.starling.mqtt.tools;

import io.netty.buffer.ByteBufUtil;
import io.starling.mqtt.codec.Publish;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Random;

/**
 * Prints each received message as mosquitto_sub 2.0 does: with {@code -F} in that format; with
 * {@code -v} as "topic payload" ("topic (null)" for an empty payload); otherwise the payload alone, an
 * empty payload printing nothing at all. A newline follows unless {@code -N}. Each message is written
 * and flushed whole. {@code --random-filter} drops messages at random first.
 */
final class MessagePrinter {
    private final ClientArguments arguments;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Random random = new Random();

    MessagePrinter(ClientArguments arguments, PrintStream out, PrintStream err, Clock clock) {
        this.arguments = arguments;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    void print(Publish message) {
        if (arguments.randomFilter < 10000 && random.nextInt(10000) >= arguments.randomFilter) {
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(message.payload());
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(payload.length + 64);
        if (arguments.format != null) {
            OutputFormat.write(buffer, arguments.format, message, payload, ZonedDateTime.now(clock), arguments.pretty,
                    arguments.eol, err);
        } else if (arguments.verbose) {
            if (payload.length > 0) {
                OutputFormat.text(buffer, message.topic() + " ");
                buffer.write(payload, 0, payload.length);
                if (arguments.eol) {
                    buffer.write('\n');
                }
            } else if (arguments.eol) {
                OutputFormat.text(buffer, message.topic() + " (null)\n");
            }
        } else if (payload.length > 0) {
            buffer.write(payload, 0, payload.length);
            if (arguments.eol) {
                buffer.write('\n');
            }
        }
        if (buffer.size() > 0) {
            synchronized (out) {
                out.write(buffer.toByteArray(), 0, buffer.size());
                out.flush();
            }
        }
    }

    /** For tests and tools: the bytes one message prints as. */
    static String render(ClientArguments arguments, Publish message, Clock clock) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new MessagePrinter(arguments, stream, stream, clock).print(message);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
