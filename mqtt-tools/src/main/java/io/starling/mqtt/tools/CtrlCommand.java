package io.starling.mqtt.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code starling ctrl}: mosquitto_ctrl, to administer dynamic security (Starling's built-in one or
 * mosquitto's plugin) over {@code $CONTROL/dynamic-security/v1}, with mosquitto_ctrl 2.0.11's command
 * line, options file, output and exit statuses. The arguments are read by its rules ({@link CtrlOptions},
 * {@link CtrlRequests}), not picocli's. Differences: it names itself {@code starling ctrl};
 * {@code setDefaultACLAccess} works (2.0.11's had no effect); Unix sockets, SOCKS proxies and TLS-PSK
 * are refused with a message.
 */
@Command(name = "ctrl", description = "Administer dynamic security at run time (mosquitto_ctrl).")
public final class CtrlCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Console console;

    public CtrlCommand() {
        this(System.in, System.out, System.err, System.getenv(), System.console());
    }

    /** With the given streams and environment (for tests and embedding); {@code console} null reads passwords from {@code in}. */
    public CtrlCommand(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Console console) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.console = console;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        try {
            return run();
        } catch (CtrlExit e) {
            return e.status;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int run() throws CtrlExit, IOException, InterruptedException {
        CtrlOptions options = new CtrlOptions();
        int first;
        try {
            StringBuilder fileErrors = new StringBuilder();
            options.readOptionsFile(env, fileErrors);
            err.print(fileErrors);
            first = options.readCommandLine(args);
        } catch (CtrlOptions.Refused r) {
            err.print(r.err);
            if (r.usage) {
                out.print(CtrlTexts.USAGE);
            }
            return r.status;
        }
        List<String> rest = args.subList(first, args.size());
        if (rest.size() < 2) {
            out.print(CtrlTexts.USAGE);
            return 1;
        }
        if (!rest.get(0).equals("dynsec")) {
            err.print("Error: Module '" + rest.get(0) + "' not supported.\n");
            return 10;
        }
        String command = rest.get(1);
        List<String> commandArgs = rest.subList(2, rest.size());
        CtrlPrompt prompt = new CtrlPrompt(in, out, console);
        if (command.equals("help")) {
            out.print(CtrlTexts.DYNSEC_HELP);
            return 0;
        }
        if (command.equals("init")) {
            return CtrlInit.run(commandArgs, prompt, out, err);
        }
        ObjectNode request = new CtrlRequests(prompt, err).build(command, commandArgs);
        return new CtrlSession(options, out, err, prompt).exchange(command, request);
    }
}
