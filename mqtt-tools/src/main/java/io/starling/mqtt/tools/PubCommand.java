package io.starling.mqtt.tools;

import io.starling.mqtt.tools.ClientArguments.MessageMode;
import io.starling.mqtt.tools.ClientArguments.Refused;
import io.starling.mqtt.tools.ClientArguments.Tool;
import io.starling.mqtt.tools.client.ClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code starling pub}: mosquitto_pub 2.0, with its options ({@link ClientArguments}), messages and exit
 * statuses: 0 when sent, the CONNACK code when the server refuses the connection, 1 for bad arguments
 * (and, as in mosquitto, for {@code --help}).
 *
 * <p>Differences from mosquitto_pub: no reconnection when the connection is lost (status 7); the options
 * of features Starling's client lacks are refused at connect time.
 */
@Command(name = "pub", description = "Publish a message (mosquitto_pub).")
public final class PubCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final long processId;

    public PubCommand() {
        this(System.in, System.out, System.err);
    }

    /** A command reading and printing these streams instead of the process's: for running it in-process. */
    public PubCommand(InputStream in, PrintStream out, PrintStream err) {
        this(in, out, err, ProcessHandle.current().pid());
    }

    PubCommand(InputStream in, PrintStream out, PrintStream err, long processId) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.processId = processId;
    }

    /** Runs {@code starling pub args} and returns the exit status. */
    public int run(List<String> arguments) {
        args = new ArrayList<>(arguments);
        return call();
    }

    @Override
    public Integer call() {
        ClientArguments a;
        try {
            a = ClientArguments.parse(Tool.PUB, args);
        } catch (Refused r) {
            return SubCommand.refused(r, out, err, Tool.PUB);
        }
        byte[] message = a.message;
        if (a.messageMode == MessageMode.STDIN_FILE) {
            try {
                message = in.readAllBytes();
            } catch (IOException e) {
                errorText(a, "Error loading input from stdin.\n");
                return 1;
            }
        } else if (a.messageMode == MessageMode.FILE) {
            try {
                message = Files.readAllBytes(Path.of(a.file));
            } catch (IOException e) {
                errorText(a, "Error: Unable to open file \"" + a.file + "\".\n");
                errorText(a, "Error loading input file \"" + a.file + "\".\n");
                return 1;
            }
        } else if (a.messageMode == MessageMode.NULL) {
            message = new byte[0];
        }
        if (a.topic == null || a.messageMode == MessageMode.NONE) {
            err.print("Error: Both topic and message must be supplied.\n");
            out.print(Usage.of(Tool.PUB));
            return 1;
        }
        ClientOptions options;
        try {
            options = ClientSetup.options(a, processId, out);
        } catch (ClientSetup.Failure f) {
            errorText(a, f.getMessage());
            return f.status;
        }
        try {
            return new PubSession(a, options, message, in, err).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private void errorText(ClientArguments a, String text) {
        if (!a.quiet) {
            err.print(text);
            err.flush();
        }
    }
}
