package io.starling.mqtt.tools;

import io.starling.mqtt.tools.ClientArguments.Refused;
import io.starling.mqtt.tools.ClientArguments.Tool;
import io.starling.mqtt.tools.client.ClientOptions;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code starling sub}: mosquitto_sub 2.0, with its options ({@link ClientArguments}), output formats
 * ({@link OutputFormat}), messages and exit statuses: 0 when done, the CONNACK code when the server
 * refuses the connection, 27 when {@code -W} runs out, 1 for bad arguments (and, as in mosquitto, for
 * {@code --help}).
 *
 * <p>The arguments are read by mosquitto's rules, not picocli's. Differences from mosquitto_sub: no
 * reconnection when the connection is lost (it ends with status 7, "The connection was lost"); the
 * options of features Starling's client lacks are refused at connect time; messages are printed before
 * they are acknowledged, so with {@code -d} the PUBACK line follows the message.
 */
@Command(name = "sub", description = "Subscribe to topics and print the messages (mosquitto_sub).")
public final class SubCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final long processId;
    private Runnable subscribed = () -> { };

    public SubCommand() {
        this(System.out, System.err);
    }

    /** A command printing to these streams instead of the process's: for running it in-process. */
    public SubCommand(PrintStream out, PrintStream err) {
        this(out, err, Clock.systemDefaultZone(), ProcessHandle.current().pid());
    }

    SubCommand(PrintStream out, PrintStream err, Clock clock, long processId) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.processId = processId;
    }

    /** Runs {@code hook} (on the connection's event loop) once the SUBACK is in: tests publish after it. */
    public SubCommand onSubscribed(Runnable hook) {
        this.subscribed = hook;
        return this;
    }

    /** Runs {@code starling sub args} and returns the exit status. */
    public int run(List<String> arguments) {
        args = new ArrayList<>(arguments);
        return call();
    }

    @Override
    public Integer call() {
        ClientArguments a;
        try {
            a = ClientArguments.parse(Tool.SUB, args);
        } catch (Refused r) {
            return refused(r, out, err, Tool.SUB);
        }
        if (a.noRetain && a.retainedOnly) {
            err.print("\nError: Combining '-R' and '--retained-only' makes no sense.\n");
            return 1;
        }
        ClientOptions options;
        try {
            options = ClientSetup.options(a, processId, out);
        } catch (ClientSetup.Failure f) {
            if (!a.quiet) {
                err.print(f.getMessage());
            }
            return f.status;
        }
        try {
            return new SubSession(a, options, out, err, new MessagePrinter(a, out, err, clock), subscribed).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The answer to arguments that make no run: usage, version or an error, each with status 1. */
    static int refused(Refused r, PrintStream out, PrintStream err, Tool tool) {
        switch (r.kind) {
            case HELP:
                out.print(Usage.of(tool));
                break;
            case VERSION:
                out.print(Usage.version(tool));
                break;
            default:
                err.print(r.getMessage() + "\nUse 'starling " + (tool == Tool.PUB ? "pub" : "sub")
                        + " --help' to see usage.\n");
                break;
        }
        out.flush();
        err.flush();
        return 1;
    }
}
