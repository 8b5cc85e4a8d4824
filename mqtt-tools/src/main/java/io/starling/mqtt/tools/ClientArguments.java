package io.starling.mqtt.tools;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.tools.PropertyArguments.Command;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code starling pub} and {@code starling sub}, read by mosquitto_pub/sub 2.0.11's
 * rules: one pass from left to right, a later option overriding an earlier one ({@code -D} switches to
 * MQTT 5.0, and a later {@code -V} back), then the checks made once all are read. Every refusal carries
 * mosquitto's message, trailing blank lines included; the command adds the "Use ... --help" line.
 *
 * <p>Not read: mosquitto's defaults file ({@code ~/.config/mosquitto_sub}), so a run does not depend on
 * the home directory. Options of features Starling lacks (--unix, --proxy, --psk, TLS engines) are read
 * and refused when connecting, with mosquitto's messages where it has one.
 *
 * <p>After {@link #parse} the object is not changed.
 */
final class ClientArguments {
    enum Tool {
        PUB("mosquitto_pub"), SUB("mosquitto_sub");

        final String mosquittoName;

        Tool(String mosquittoName) {
            this.mosquittoName = mosquittoName;
        }
    }

    /** Where {@code starling pub} takes its message from. */
    enum MessageMode { NONE, COMMAND_LINE, FILE, STDIN_LINE, STDIN_FILE, NULL }

    /** Why the arguments do not make a run: an error message, or a request for the usage or version. */
    static final class Refused extends Exception {
        enum Kind { ERROR, HELP, VERSION }

        final Kind kind;

        Refused(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    static final long UNSET = -1;
    static final long NEVER_EXPIRES = 0xFFFFFFFFL;

    final Tool tool;
    String host;
    int port = -1;
    String bindAddress;
    String id;
    String idPrefix;
    int keepalive = 60;
    boolean cleanSession = true;
    MqttVersion version = MqttVersion.MQTT_3_1_1;
    int qos;
    boolean retain;
    String username;
    String password;
    boolean debug;
    boolean quiet;
    boolean eol = true;
    boolean verbose;
    String format;
    boolean pretty;
    int msgCount;
    int timeout;
    boolean noRetain;
    boolean retainedOnly;
    boolean removeRetained;
    boolean retainAsPublished;
    boolean exitAfterSubscribe;
    int randomFilter = 10000;
    final List<String> topics = new ArrayList<>();
    final List<String> filterOuts = new ArrayList<>();
    final List<String> unsubscribeTopics = new ArrayList<>();
    String topic;
    MessageMode messageMode = MessageMode.NONE;
    byte[] message;
    String file;
    int repeatCount = 1;
    Duration repeatDelay = Duration.ZERO;
    int maxInflight = 20;
    String willTopic;
    byte[] willPayload;
    int willQos;
    boolean willRetain;
    String cafile;
    String capath;
    String certfile;
    String keyfile;
    String ciphers;
    String tlsVersion;
    String tlsAlpn;
    String tlsEngine;
    String keyform;
    String tlsEngineKpassSha1;
    boolean tlsUseOsCerts;
    boolean insecure;
    String psk;
    String pskIdentity;
    String proxy;
    String unixSocket;
    boolean noDelay;
    long sessionExpiryInterval = UNSET;
    final PropertyArguments properties = new PropertyArguments();

    private ClientArguments(Tool tool) {
        this.tool = tool;
    }

    static ClientArguments parse(Tool tool, List<String> args) throws Refused {
        ClientArguments a = new ClientArguments(tool);
        a.read(args);
        a.checkAll();
        return a;
    }

    private void read(List<String> args) throws Refused {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            boolean last = i == args.size() - 1;
            String next = last ? null : args.get(i + 1);
            switch (arg) {
                case "-A":
                    bindAddress = value(next, "Error: -A argument given but no address specified.\n\n");
                    i++;
                    break;
                case "--cafile":
                    cafile = value(next, "Error: --cafile argument given but no file specified.\n\n");
                    i++;
                    break;
                case "--capath":
                    capath = value(next, "Error: --capath argument given but no directory specified.\n\n");
                    i++;
                    break;
                case "--cert":
                    certfile = value(next, "Error: --cert argument given but no file specified.\n\n");
                    i++;
                    break;
                case "--ciphers":
                    ciphers = value(next, "Error: --ciphers argument given but no ciphers specified.\n\n");
                    i++;
                    break;
                case "-C":
                    subOnly(arg);
                    msgCount = CNumbers.atoi(value(next, "Error: -C argument given but no count specified.\n\n"));
                    if (msgCount < 1) {
                        throw error("Error: Invalid message count \"" + msgCount + "\".\n\n");
                    }
                    i++;
                    break;
                case "-c":
                case "--disable-clean-session":
                    cleanSession = false;
                    break;
                case "-d":
                case "--debug":
                    debug = true;
                    break;
                case "-D":
                case "--property":
                    try {
                        i = properties.add(args, i + 1);
                    } catch (PropertyArguments.Invalid e) {
                        throw error(e.getMessage());
                    }
                    version = MqttVersion.MQTT_5;
                    break;
                case "-E":
                    subOnly(arg);
                    exitAfterSubscribe = true;
                    break;
                case "-f":
                case "--file":
                    pubOnly(arg);
                    oneMessageMode();
                    file = value(next, "Error: -f argument given but no file specified.\n\n");
                    messageMode = MessageMode.FILE;
                    i++;
                    break;
                case "-F":
                    subOnly(arg);
                    format = value(next, "Error: -F argument given but no format specified.\n\n");
                    try {
                        OutputFormat.check(format);
                    } catch (OutputFormat.Invalid e) {
                        throw error(e.getMessage());
                    }
                    i++;
                    break;
                case "--help":
                    throw new Refused(Refused.Kind.HELP, null);
                case "-h":
                case "--host":
                    host = value(next, "Error: -h argument given but no host specified.\n\n");
                    i++;
                    break;
                case "--insecure":
                    insecure = true;
                    break;
                case "-i":
                case "--id":
                    if (idPrefix != null) {
                        throw error("Error: -i and -I argument cannot be used together.\n\n");
                    }
                    id = value(next, "Error: -i argument given but no id specified.\n\n");
                    i++;
                    break;
                case "-I":
                case "--id-prefix":
                    if (id != null) {
                        throw error("Error: -i and -I argument cannot be used together.\n\n");
                    }
                    idPrefix = value(next, "Error: -I argument given but no id prefix specified.\n\n");
                    i++;
                    break;
                case "-k":
                case "--keepalive":
                    keepalive = CNumbers.atoi(value(next, "Error: -k argument given but no keepalive specified.\n\n"));
                    if (keepalive < 5 || keepalive > 65535) {
                        throw error("Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
                    }
                    i++;
                    break;
                case "--key":
                    keyfile = value(next, "Error: --key argument given but no file specified.\n\n");
                    i++;
                    break;
                case "--keyform":
                    keyform = value(next, "Error: --keyform argument given but no keyform specified.\n\n");
                    i++;
                    break;
                case "-L":
                case "--url":
                    url(value(next, "Error: -L argument given but no URL specified.\n\n"));
                    i++;
                    break;
                case "-l":
                case "--stdin-line":
                    pubOnly(arg);
                    oneMessageMode();
                    messageMode = MessageMode.STDIN_LINE;
                    break;
                case "-m":
                case "--message":
                    pubOnly(arg);
                    oneMessageMode();
                    message = value(next, "Error: -m argument given but no message specified.\n\n")
                            .getBytes(StandardCharsets.UTF_8);
                    if (message.length > 268_435_455) {
                        throw error("Error: Message length must be less than 268435455 bytes.\n\n");
                    }
                    messageMode = MessageMode.COMMAND_LINE;
                    i++;
                    break;
                case "-M":
                    maxInflight = CNumbers.atoi(value(next, "Error: -M argument given but max_inflight not specified.\n\n"));
                    if (maxInflight < 1) {
                        throw error("Error: Maximum inflight messages must be greater than 0.\n\n");
                    }
                    i++;
                    break;
                case "--nodelay":
                    noDelay = true;
                    break;
                case "-n":
                case "--null-message":
                    pubOnly(arg);
                    oneMessageMode();
                    messageMode = MessageMode.NULL;
                    break;
                case "-N":
                    subOnly(arg);
                    eol = false;
                    break;
                case "-p":
                case "--port":
                    port = CNumbers.atoi(value(next, "Error: -p argument given but no port specified.\n\n"));
                    if (port < 0 || port > 65535) {
                        throw error("Error: Invalid port given: " + port + "\n");
                    }
                    i++;
                    break;
                case "--pretty":
                    subOnly(arg);
                    pretty = true;
                    break;
                case "-P":
                case "--pw":
                    password = value(next, "Error: -P argument given but no password specified.\n\n");
                    i++;
                    break;
                case "--proxy":
                    proxy = value(next, "Error: --proxy argument given but no proxy url specified.\n\n");
                    i++;
                    break;
                case "--psk":
                    psk = value(next, "Error: --psk argument given but no key specified.\n\n");
                    i++;
                    break;
                case "--psk-identity":
                    pskIdentity = value(next, "Error: --psk-identity argument given but no identity specified.\n\n");
                    i++;
                    break;
                case "-q":
                case "--qos":
                    qos = CNumbers.atoi(value(next, "Error: -q argument given but no QoS specified.\n\n"));
                    if (qos < 0 || qos > 2) {
                        throw error("Error: Invalid QoS given: " + qos + "\n");
                    }
                    i++;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "-r":
                case "--retain":
                    pubOnly(arg);
                    retain = true;
                    break;
                case "-R":
                    subOnly(arg);
                    noRetain = true;
                    break;
                case "--random-filter":
                    subOnly(arg);
                    randomFilter = (int) (10.0 * CNumbers.atof(value(next,
                            "Error: --random-filter argument given but no chance specified.\n\n")));
                    if (randomFilter > 10000 || randomFilter < 1) {
                        throw error("Error: --random-filter chance must be between 0.1-100.0\n\n");
                    }
                    i++;
                    break;
                case "--remove-retained":
                    subOnly(arg);
                    removeRetained = true;
                    break;
                case "--repeat":
                    pubOnly(arg);
                    repeatCount = CNumbers.atoi(value(next, "Error: --repeat argument given but no count specified.\n\n"));
                    if (repeatCount < 1) {
                        throw error("Error: --repeat argument must be >0.\n\n");
                    }
                    i++;
                    break;
                case "--repeat-delay": {
                    pubOnly(arg);
                    double seconds = CNumbers.atof(value(next,
                            "Error: --repeat-delay argument given but no time specified.\n\n"));
                    if (seconds < 0) {
                        throw error("Error: --repeat-delay argument must be >=0.0.\n\n");
                    }
                    repeatDelay = Duration.ofNanos((long) (seconds * 1e9));
                    i++;
                    break;
                }
                case "--retain-as-published":
                    subOnly(arg);
                    retainAsPublished = true;
                    break;
                case "--retained-only":
                    subOnly(arg);
                    retainedOnly = true;
                    break;
                case "-s":
                case "--stdin-file":
                    pubOnly(arg);
                    oneMessageMode();
                    messageMode = MessageMode.STDIN_FILE;
                    break;
                case "-t":
                case "--topic":
                    addTopic(value(next, "Error: -t argument given but no topic specified.\n\n"));
                    i++;
                    break;
                case "-T":
                case "--filter-out": {
                    subOnly(arg);
                    String filter = value(next, "Error: -T argument given but no topic filter specified.\n\n");
                    if (!Topics.isValidFilter(filter)) {
                        throw error("Error: Invalid filter topic '" + filter
                                + "', are all '+' and '#' wildcards correct?\n");
                    }
                    filterOuts.add(filter);
                    i++;
                    break;
                }
                case "--tls-alpn":
                    tlsAlpn = value(next, "Error: --tls-alpn argument given but no protocol specified.\n\n");
                    i++;
                    break;
                case "--tls-engine":
                    tlsEngine = value(next, "Error: --tls-engine argument given but no engine_id specified.\n\n");
                    i++;
                    break;
                case "--tls-engine-kpass-sha1":
                    tlsEngineKpassSha1 = value(next,
                            "Error: --tls-engine-kpass-sha1 argument given but no kpass sha1 specified.\n\n");
                    i++;
                    break;
                case "--tls-use-os-certs":
                    tlsUseOsCerts = true;
                    break;
                case "--tls-version":
                    tlsVersion = value(next, "Error: --tls-version argument given but no version specified.\n\n");
                    i++;
                    break;
                case "-U":
                case "--unsubscribe": {
                    subOnly(arg);
                    String filter = value(next, "Error: -U argument given but no unsubscribe topic specified.\n\n");
                    if (!Topics.isValidFilter(filter)) {
                        throw error("Error: Invalid unsubscribe topic '" + filter
                                + "', are all '+' and '#' wildcards correct?\n");
                    }
                    unsubscribeTopics.add(filter);
                    i++;
                    break;
                }
                case "-u":
                case "--username":
                    username = value(next, "Error: -u argument given but no username specified.\n\n");
                    i++;
                    break;
                case "--unix":
                    unixSocket = value(next, "Error: --unix argument given but no socket path specified.\n\n");
                    host = unixSocket;
                    port = 0;
                    i++;
                    break;
                case "-V":
                case "--protocol-version":
                    version = version(value(next,
                            "Error: --protocol-version argument given but no version specified.\n\n"));
                    i++;
                    break;
                case "-v":
                case "--verbose":
                    subOnly(arg);
                    verbose = true;
                    break;
                case "--version":
                    throw new Refused(Refused.Kind.VERSION, null);
                case "-W":
                    subOnly(arg);
                    timeout = CNumbers.atoi(value(next, "Error: -W argument given but no timeout specified.\n\n"));
                    if (timeout < 1) {
                        throw error("Error: Invalid timeout \"" + timeout + "\".\n\n");
                    }
                    i++;
                    break;
                case "--will-payload":
                    willPayload = value(next, "Error: --will-payload argument given but no will payload specified.\n\n")
                            .getBytes(StandardCharsets.UTF_8);
                    i++;
                    break;
                case "--will-qos":
                    willQos = CNumbers.atoi(value(next, "Error: --will-qos argument given but no will QoS specified.\n\n"));
                    if (willQos < 0 || willQos > 2) {
                        throw error("Error: Invalid will QoS " + willQos + ".\n\n");
                    }
                    i++;
                    break;
                case "--will-retain":
                    willRetain = true;
                    break;
                case "--will-topic":
                    willTopic = value(next, "Error: --will-topic argument given but no will topic specified.\n\n");
                    if (!Topics.isValidName(willTopic)) {
                        throw error("Error: Invalid will topic '" + willTopic + "', does it contain '+' or '#'?\n");
                    }
                    i++;
                    break;
                case "-x":
                    sessionExpiry(value(next,
                            "Error: -x argument given but no session expiry interval specified.\n\n"));
                    i++;
                    break;
                default:
                    throw error("Error: Unknown option '" + arg + "'.\n");
            }
        }
    }

    /** The checks client_config_load() makes once every option is read, in its order. */
    private void checkAll() throws Refused {
        if (willPayload != null && willTopic == null) {
            throw error("Error: Will payload given, but no will topic given.\n");
        }
        if (willRetain && willTopic == null) {
            throw error("Error: Will retain given, but no will topic given.\n");
        }
        if ((certfile == null) != (keyfile == null)) {
            throw error("Error: Both certfile and keyfile must be provided if one of them is set.\n");
        }
        if (keyform != null && keyfile == null) {
            throw error("Error: If keyform is set, keyfile must be also specified.\n");
        }
        if (tlsEngineKpassSha1 != null && (keyform == null || tlsEngine == null)) {
            throw error("Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must also be provided.\n");
        }
        if ((cafile != null || capath != null) && psk != null) {
            throw error("Error: Only one of --psk or --cafile/--capath may be used at once.\n");
        }
        if (psk != null && pskIdentity == null) {
            throw error("Error: --psk-identity required if --psk used.\n");
        }
        if (version.isV5()) {
            if (!cleanSession && sessionExpiryInterval == UNSET) {
                sessionExpiryInterval = NEVER_EXPIRES; // -c alone: a session that does not expire
            }
            if (sessionExpiryInterval > 0) {
                if (sessionExpiryInterval == NEVER_EXPIRES && (idPrefix != null || id == null)) {
                    throw error("Error: You must provide a client id if you are using an infinite session "
                            + "expiry interval.\n");
                }
                properties.addImplied(Command.CONNECT,
                        new Property.Number(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiryInterval));
            }
        } else if (!cleanSession && (idPrefix != null || id == null)) {
            throw error("Error: You must provide a client id if you are using the -c option.\n");
        }
        if (tool == Tool.SUB && topics.isEmpty()) {
            throw error("Error: You must specify a topic to subscribe to.\n");
        }
        if (host == null) {
            host = "localhost";
        }
        try {
            properties.check();
        } catch (PropertyArguments.Invalid e) {
            throw error(e.getMessage());
        }
    }

    private void url(String text) throws Refused {
        MqttUrl url;
        try {
            url = MqttUrl.parse(text);
        } catch (MqttUrl.Invalid e) {
            throw error(e.getMessage());
        }
        port = url.port();
        if (url.tls()) {
            tlsUseOsCerts = true;
        }
        addTopic(url.topic(), "-L topic");
        if (url.username() != null) {
            username = url.username();
        }
        if (url.password() != null) {
            password = url.password();
        }
        host = url.host();
    }

    private void addTopic(String value) throws Refused {
        addTopic(value, "-t");
    }

    private void addTopic(String value, String argument) throws Refused {
        if (tool == Tool.PUB) {
            if (!Topics.isValidName(value)) {
                throw error("Error: Invalid publish topic '" + value + "', does it contain '+' or '#'?\n");
            }
            topic = value;
        } else {
            if (!Topics.isValidFilter(value)) {
                throw error("Error: Invalid subscription topic '" + value
                        + "', are all '+' and '#' wildcards correct?\n");
            }
            topics.add(value);
        }
    }

    private void sessionExpiry(String value) throws Refused {
        if (value.equals("\u221e")) {
            sessionExpiryInterval = NEVER_EXPIRES;
            return;
        }
        Long n = CNumbers.strtolWhole(value);
        if (n == null) {
            throw error("Error: session-expiry-interval not a number.\n\n");
        }
        if (n > NEVER_EXPIRES || n < -1) {
            throw error("Error: session-expiry-interval out of range.\n\n");
        }
        sessionExpiryInterval = n == -1 ? NEVER_EXPIRES : n;
    }

    private static MqttVersion version(String value) throws Refused {
        switch (value) {
            case "mqttv31":
            case "31":
                return MqttVersion.MQTT_3_1;
            case "mqttv311":
            case "311":
                return MqttVersion.MQTT_3_1_1;
            case "mqttv5":
            case "5":
                return MqttVersion.MQTT_5;
            default:
                throw error("Error: Invalid protocol version argument given.\n\n");
        }
    }

    private void oneMessageMode() throws Refused {
        if (messageMode != MessageMode.NONE) {
            throw error("Error: Only one type of message can be sent at once.\n\n");
        }
    }

    private void pubOnly(String arg) throws Refused {
        if (tool != Tool.PUB) {
            throw error("Error: Unknown option '" + arg + "'.\n");
        }
    }

    private void subOnly(String arg) throws Refused {
        if (tool != Tool.SUB) {
            throw error("Error: Unknown option '" + arg + "'.\n");
        }
    }

    private static String value(String next, String missing) throws Refused {
        if (next == null) {
            throw error(missing);
        }
        return next;
    }

    private static Refused error(String message) {
        return new Refused(Refused.Kind.ERROR, message);
    }

    // ---- what the commands read ----

    /** The port to connect to: given, or 8883 with a CA file or directory (or --psk), else 1883. */
    int effectivePort() {
        if (port != -1) {
            return port;
        }
        return cafile != null || capath != null || psk != null ? 8883 : 1883;
    }

    /** Whether the connection uses TLS: CA certificates of any kind given, or port 8883 (mosquitto's rule). */
    boolean usesTls() {
        return cafile != null || capath != null || tlsUseOsCerts || effectivePort() == 8883 && psk == null;
    }

    Properties connectProperties() {
        return properties.of(Command.CONNECT);
    }

    Properties publishProperties() {
        return properties.of(Command.PUBLISH);
    }

    Properties subscribeProperties() {
        return properties.of(Command.SUBSCRIBE);
    }

    Properties unsubscribeProperties() {
        return properties.of(Command.UNSUBSCRIBE);
    }

    Properties disconnectProperties() {
        return properties.of(Command.DISCONNECT);
    }

    Properties willProperties() {
        return properties.of(Command.WILL);
    }
}
