package io.starling.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a mosquitto.conf into a {@link BrokerConfig}. Every error names the file and line.
 *
 * <p>This first version knows the listener lines and the core limits; other lines are accepted with
 * a warning that names them, so an existing mosquitto.conf still starts (the full option set comes
 * with the configuration work).
 */
public final class ConfigFile {
    private final String file;
    private final List<ListenerConfig> listeners = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    // Mosquitto 2.0's defaults, overwritten line by line (see BrokerConfig.defaults()).
    private Boolean allowAnonymous;
    private int maxInflightMessages = 20;
    private int maxQueuedMessages = 1000;
    private long maxQueuedBytes;
    private boolean queueQos0Messages;
    private int maxPacketSize;
    private int messageSizeLimit;
    private int maxKeepalive = 65535;
    private boolean allowZeroLengthClientId = true;
    private String autoIdPrefix = "auto-";
    private boolean retainAvailable = true;
    private Integer legacyPort;
    private String legacyBindAddress;

    private ConfigFile(String file) {
        this.file = file;
    }

    public static BrokerConfig read(Path path) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("Error: Unable to open config file " + path + ": " + e.getMessage());
        }
        ConfigFile parser = new ConfigFile(path.toString());
        for (int i = 0; i < lines.size(); i++) {
            parser.line(i + 1, lines.get(i));
        }
        return parser.result();
    }

    private void line(int number, String raw) throws ConfigException {
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#")) {
            return;
        }
        String[] words = line.split("\\s+");
        String key = words[0];
        Values v = new Values(file, number, key, words);
        switch (key) {
            case "listener":
                listeners.add(new ListenerConfig(v.port(1), words.length > 2 ? words[2] : null));
                return;
            case "port":
                legacyPort = v.port(1);
                return;
            case "bind_address":
                legacyBindAddress = v.word(1);
                return;
            case "allow_anonymous":
                allowAnonymous = v.bool();
                return;
            case "max_inflight_messages":
                maxInflightMessages = v.integer(0, 65535);
                return;
            case "max_queued_messages":
                maxQueuedMessages = v.integer(0, Integer.MAX_VALUE);
                return;
            case "max_queued_bytes":
                maxQueuedBytes = v.integer(0, Integer.MAX_VALUE);
                return;
            case "queue_qos0_messages":
                queueQos0Messages = v.bool();
                return;
            case "max_packet_size":
                maxPacketSize = v.integer(20, 268_435_460);
                return;
            case "message_size_limit":
                messageSizeLimit = v.integer(0, 268_435_455);
                return;
            case "max_keepalive":
                maxKeepalive = v.integer(0, 65535);
                return;
            case "allow_zero_length_clientid":
                allowZeroLengthClientId = v.bool();
                return;
            case "auto_id_prefix":
                autoIdPrefix = v.word(1);
                return;
            case "retain_available":
                retainAvailable = v.bool();
                return;
            default:
                warnings.add("Warning: " + file + ":" + number + ": option '" + key + "' is not supported yet and was ignored.");
        }
    }

    private BrokerConfig result() {
        List<ListenerConfig> all = new ArrayList<>();
        if (legacyPort != null || legacyBindAddress != null) {
            all.add(new ListenerConfig(legacyPort == null ? 1883 : legacyPort, legacyBindAddress));
        }
        all.addAll(listeners);
        return new BrokerConfig(all, allowAnonymous, maxInflightMessages, maxQueuedMessages, maxQueuedBytes,
                queueQos0Messages, maxPacketSize, messageSizeLimit, maxKeepalive, allowZeroLengthClientId,
                autoIdPrefix, retainAvailable, warnings);
    }

    /** The arguments of one line, read with errors that name the file, line and option. */
    private record Values(String file, int line, String key, String[] words) {
        String word(int index) throws ConfigException {
            if (words.length <= index) {
                throw ConfigException.at(file, line, "Empty " + key + " value in configuration.");
            }
            return words[index];
        }

        int integer(int min, long max) throws ConfigException {
            String w = word(1);
            try {
                long n = Long.parseLong(w);
                if (n < min || n > max) {
                    throw ConfigException.at(file, line, "Invalid " + key + " value (" + w + "): must be between "
                            + min + " and " + max + ".");
                }
                return (int) n;
            } catch (NumberFormatException e) {
                throw ConfigException.at(file, line, "Invalid " + key + " value (" + w + "): not a number.");
            }
        }

        int port(int index) throws ConfigException {
            String w = word(index);
            try {
                int p = Integer.parseInt(w);
                if (p < 0 || p > 65535) {
                    throw ConfigException.at(file, line, "Invalid port given: " + w);
                }
                return p;
            } catch (NumberFormatException e) {
                throw ConfigException.at(file, line, "Invalid port given: " + w);
            }
        }

        boolean bool() throws ConfigException {
            String w = word(1);
            if (w.equals("true")) {
                return true;
            }
            if (w.equals("false")) {
                return false;
            }
            throw ConfigException.at(file, line, "Invalid " + key + " value (" + w + "): use true or false.");
        }
    }
}
