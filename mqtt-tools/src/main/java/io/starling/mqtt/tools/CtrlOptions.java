package io.starling.mqtt.tools;

import io.starling.mqtt.codec.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The connection options of {@code starling ctrl}, read as mosquitto_ctrl 2.0.11 reads them: first its
 * options file ({@code $XDG_CONFIG_HOME/mosquitto_ctrl}, else {@code ~/.config/mosquitto_ctrl}: one option
 * per line, its value the rest of the line; blank lines, {@code #} comments and lines not starting with
 * {@code -} skipped), then the command line up to the first word that is not an option. Refusals carry
 * mosquitto_ctrl's messages and exit statuses, its quirks included (an invalid value is followed by
 * "Module '<first argument>' not supported", status 10).
 */
final class CtrlOptions {
    /** Why the options do not make a run: what to print, where, and the exit status. */
    static final class Refused extends Exception {
        final String err;
        final boolean usage;
        final int status;

        Refused(String err, boolean usage, int status) {
            super(err, null, false, false);
            this.err = err;
            this.usage = usage;
            this.status = status;
        }
    }

    private static final Map<String, String> MISSING = Map.ofEntries(
            Map.entry("-h", "-h argument given but no host specified."),
            Map.entry("-p", "-p argument given but no port specified."),
            Map.entry("-u", "-u argument given but no username specified."),
            Map.entry("-P", "-P argument given but no password specified."),
            Map.entry("-i", "-i argument given but no id specified."),
            Map.entry("-q", "-q argument given but no QoS specified."),
            Map.entry("-L", "-L argument given but no URL specified."),
            Map.entry("-V", "--protocol-version argument given but no version specified."),
            Map.entry("-o", "-o argument given but no options file specified."),
            Map.entry("-A", "-A argument given but no address specified."),
            Map.entry("--cafile", "--cafile argument given but no file specified."),
            Map.entry("--capath", "--capath argument given but no directory specified."),
            Map.entry("--cert", "--cert argument given but no file specified."),
            Map.entry("--key", "--key argument given but no file specified."),
            Map.entry("--tls-version", "--tls-version argument given but no version specified."),
            Map.entry("--ciphers", "--ciphers argument given but no ciphers specified."),
            Map.entry("--psk", "--psk argument given but no key specified."),
            Map.entry("--psk-identity", "--psk-identity argument given but no identity specified."),
            Map.entry("--unix", "--unix argument given but no socket path specified."),
            Map.entry("--proxy", "--proxy argument given but no proxy url specified."));

    private static final Map<String, String> LONG = Map.of("--host", "-h", "--port", "-p", "--username", "-u",
            "--pw", "-P", "--id", "-i", "--qos", "-q", "--url", "-L", "--protocol-version", "-V");

    private static final List<String> FLAGS = List.of("-d", "--debug", "--quiet", "--verbose", "-v", "--insecure");

    String host = "localhost";
    int port = -1;
    String username;
    String password;
    String clientId;
    MqttVersion version = MqttVersion.MQTT_5;
    int qos = 1;
    String cafile;
    String capath;
    String certfile;
    String keyfile;
    String tlsVersion;
    boolean insecure;
    String bindAddress;
    /** An unknown option in the options file: reported, then the connection is refused (status 3). */
    boolean badOptionsFile;

    boolean usesTls() {
        return cafile != null || capath != null;
    }

    int effectivePort() {
        if (port >= 0) {
            return port;
        }
        return usesTls() ? 8883 : 1883;
    }

    /** The options file's options; an unknown one is reported on {@code err} and remembered. */
    void readOptionsFile(Map<String, String> env, StringBuilder err) throws Refused {
        Path file = optionsFile(env);
        List<String> lines;
        try {
            if (file == null || !Files.isRegularFile(file)) {
                return;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // as mosquitto_ctrl: a file it cannot read is no file
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || !line.startsWith("-")) {
                continue;
            }
            int space = line.indexOf(' ');
            String option = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? null : line.substring(space + 1).strip();
            if (!known(option)) {
                err.append("Error: Unknown option '").append(option).append("'.\n");
                badOptionsFile = true;
                continue;
            }
            apply(option, value, option);
        }
    }

    static Path optionsFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null) {
            return Path.of(xdg, "mosquitto_ctrl");
        }
        String home = env.get("HOME");
        return home == null ? null : Path.of(home, ".config", "mosquitto_ctrl");
    }

    /**
     * The command line's options; returns the index of the first word that is not one (the module).
     * {@code --help} and {@code --version} refuse with the usage.
     */
    int readCommandLine(List<String> args) throws Refused {
        String first = args.isEmpty() ? "" : args.get(0);
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-")) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("--version")) {
                throw new Refused("", true, 1);
            }
            if (!known(option)) {
                throw new Refused("Error: Unknown option '" + option + "'.\n" + module(first), false, 10);
            }
            String canonical = LONG.getOrDefault(option, option);
            if (FLAGS.contains(option)) {
                apply(option, null, first);
                i++;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new Refused("Error: " + MISSING.get(canonical) + "\n\n", true, 1);
            }
            apply(option, args.get(i + 1), first);
            i += 2;
        }
        return i;
    }

    private static boolean known(String option) {
        return FLAGS.contains(option) || MISSING.containsKey(LONG.getOrDefault(option, option));
    }

    /** "Error: Module 'X' not supported.": what mosquitto_ctrl prints after a bad value, X being its first argument. */
    private static String module(String first) {
        return "Error: Module '" + first + "' not supported.\n";
    }

    private void apply(String option, String value, String first) throws Refused {
        String canonical = LONG.getOrDefault(option, option);
        if (value == null && !FLAGS.contains(option)) {
            throw new Refused("Error: " + MISSING.get(canonical) + "\n\n", true, 1);
        }
        switch (canonical) {
            case "-h" -> host = value;
            case "-p" -> {
                int p = CNumbers.atoi(value);
                if (p < 0 || p > 65535) {
                    throw new Refused("Error: Invalid port given: " + p + "\n" + module(first), false, 10);
                }
                port = p;
            }
            case "-u" -> username = value;
            case "-P" -> password = value;
            case "-i" -> clientId = value;
            case "-q" -> {
                int q = CNumbers.atoi(value);
                if (q < 0 || q > 2) {
                    throw new Refused("Error: Invalid QoS given: " + q + "\n" + module(first), false, 10);
                }
                qos = q;
            }
            case "-V" -> version = version(value, first);
            case "-L" -> url(value, first);
            case "-A" -> bindAddress = value;
            case "--cafile" -> cafile = value;
            case "--capath" -> capath = value;
            case "--cert" -> certfile = value;
            case "--key" -> keyfile = value;
            case "--tls-version" -> tlsVersion = value;
            case "--insecure" -> insecure = true;
            case "--unix" -> throw new Refused("Error: Unix domain sockets are not supported by starling ctrl.\n", false, 1);
            case "--psk", "--psk-identity" -> throw new Refused("Error: TLS-PSK is not supported by starling ctrl.\n", false, 1);
            case "--proxy" -> throw new Refused(value.startsWith("socks5h://")
                    ? "Error: SOCKS proxies are not supported by starling ctrl.\n"
                    : "Error: Unsupported proxy protocol: " + value + "\n" + module(first), false,
                    value.startsWith("socks5h://") ? 1 : 10);
            default -> {
                // -o (accepted and not read, as by mosquitto_ctrl 2.0.11), --ciphers, -d, --quiet, --verbose, -v
            }
        }
    }

    private static MqttVersion version(String value, String first) throws Refused {
        return switch (value) {
            case "5", "mqttv5" -> MqttVersion.MQTT_5;
            case "311", "mqttv311" -> MqttVersion.MQTT_3_1_1;
            case "31", "mqttv31" -> MqttVersion.MQTT_3_1;
            default -> throw new Refused("Error: Invalid protocol version argument given.\n\n" + module(first), false, 10);
        };
    }

    /** {@code -L mqtt(s)://[user[:password]@]host[:port]/topic}: the topic must be there, and is not used. */
    private void url(String value, String first) throws Refused {
        String rest;
        if (value.startsWith("mqtt://")) {
            rest = value.substring(7);
        } else if (value.startsWith("mqtts://")) {
            rest = value.substring(8); // mosquitto_ctrl 2.0.11 does not turn TLS on for it either
        } else {
            throw new Refused("Error: unsupported URL scheme.\n\n" + module(first), false, 10);
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new Refused("Error: Invalid URL for -L argument specified - topic missing.\n" + module(first), false, 10);
        }
        String authority = rest.substring(0, slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String user = authority.substring(0, at);
            int colon = user.indexOf(':');
            username = colon < 0 ? user : user.substring(0, colon);
            if (colon >= 0) {
                password = user.substring(colon + 1);
            }
            authority = authority.substring(at + 1);
        }
        int colon = authority.lastIndexOf(':');
        if (colon >= 0) {
            host = authority.substring(0, colon);
            port = CNumbers.atoi(authority.substring(colon + 1));
        } else {
            host = authority;
        }
    }
}
