package io.starling.broker.server;

import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code starling} command: {@code starling [broker] [options]}. */
@Command(name = "starling", mixinStandardHelpOptions = true, version = "Starling 0.1.0",
        description = "Starling, an MQTT broker compatible with Mosquitto.",
        subcommands = {BrokerCommand.class, io.starling.mqtt.tools.PasswdCommand.class, io.starling.mqtt.tools.CtrlCommand.class, io.starling.mqtt.tools.PubCommand.class, io.starling.mqtt.tools.SubCommand.class,
                io.starling.mqtt.tools.BenchCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Netty's default samples one buffer in 128 and records a stack trace for it: a cost on the
            // hot path (seen in profiles, issue 8) that only helps while hunting a leak. Tests keep it on.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        // "starling -p 1884" means "starling broker -p 1884", as "mosquitto -p 1884" does.
        boolean hasSubcommand = args.length > 0 && !args[0].startsWith("-");
        String[] full = args;
        if (!hasSubcommand) {
            full = new String[args.length + 1];
            full[0] = "broker";
            System.arraycopy(args, 0, full, 1, args.length);
        }
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("-V")
                || args[0].equals("--version"))) {
            full = args;
        }
        // No @file expansion: "starling passwd -b file user @secret" means the password "@secret".
        int code = new CommandLine(new Main()).setExpandAtFiles(false).execute(full);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }
}
