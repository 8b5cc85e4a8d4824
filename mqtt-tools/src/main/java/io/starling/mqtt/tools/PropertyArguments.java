package io.starling.mqtt.tools;

import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The MQTT 5.0 properties given with {@code -D command identifier value} (or {@code -D command
 * user-property name value}), collected per command in the order given, and checked as mosquitto 2.0's
 * clients check them: first each argument ({@link #add}), then each list as a whole ({@link #check}).
 *
 * <p>Names are the specification's with '-' between words ({@code message-expiry-interval}), without
 * regard to case. Numbers are read with C's {@code atol}, so "abc" is 0. Binary values
 * (correlation-data, authentication-data) are the argument's bytes.
 */
final class PropertyArguments {
    /** What a property can be given for; {@code WILL} is the will's own properties in CONNECT. */
    enum Command {
        CONNECT(PacketType.CONNECT), CONNACK(PacketType.CONNACK), PUBLISH(PacketType.PUBLISH),
        PUBACK(PacketType.PUBACK), PUBREC(PacketType.PUBREC), PUBREL(PacketType.PUBREL), PUBCOMP(PacketType.PUBCOMP),
        SUBSCRIBE(PacketType.SUBSCRIBE), SUBACK(PacketType.SUBACK), UNSUBSCRIBE(PacketType.UNSUBSCRIBE),
        UNSUBACK(PacketType.UNSUBACK), DISCONNECT(PacketType.DISCONNECT), AUTH(PacketType.AUTH), WILL(null);

        private final PacketType packet;

        Command(PacketType packet) {
            this.packet = packet;
        }

        boolean allows(PropertyId id) {
            return packet == null ? id.allowedInWill() : id.allowedIn(packet);
        }
    }

    /** The commands whose properties the clients send; the order is the order of {@link #check}. */
    private static final List<Command> SENT = List.of(Command.CONNECT, Command.PUBLISH, Command.SUBSCRIBE,
            Command.UNSUBSCRIBE, Command.DISCONNECT, Command.WILL);
    private static final Set<PropertyId> FLAGS = EnumSet.of(PropertyId.REQUEST_PROBLEM_INFORMATION,
            PropertyId.REQUEST_RESPONSE_INFORMATION, PropertyId.MAXIMUM_QOS, PropertyId.RETAIN_AVAILABLE,
            PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE,
            PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, PropertyId.PAYLOAD_FORMAT_INDICATOR);

    private final Map<Command, List<Property>> lists = new EnumMap<>(Command.class);
    private boolean topicAlias;

    /** A -D argument mosquitto refuses, with its message. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads one {@code -D}: {@code args[index]} is the command. Returns the index of its last word.
     */
    int add(List<String> args, int index) throws Invalid {
        if (index + 2 > args.size() - 1) {
            throw new Invalid("Error: --property argument given but not enough arguments specified.\n\n");
        }
        String commandName = args.get(index);
        Command command = command(commandName);
        if (command == null) {
            throw new Invalid("Error: Invalid command given in --property argument.\n\n");
        }
        String propertyName = args.get(index + 1);
        PropertyId id = property(propertyName);
        if (id == null) {
            throw new Invalid("Error: Invalid property name given in --property argument.\n\n");
        }
        if (!command.allows(id)) {
            throw new Invalid("Error: " + propertyName + " property not allowed for " + commandName
                    + " in --property argument.\n\n");
        }
        String name = null;
        String value;
        int last;
        if (id == PropertyId.USER_PROPERTY) {
            if (index + 3 > args.size() - 1) {
                throw new Invalid("Error: --property argument given but not enough arguments specified.\n\n");
            }
            name = args.get(index + 2);
            value = args.get(index + 3);
            last = index + 3;
        } else {
            value = args.get(index + 2);
            last = index + 2;
        }
        switch (command) {
            case CONNECT:
            case SUBSCRIBE:
            case UNSUBSCRIBE:
            case DISCONNECT:
            case WILL:
                break;
            case PUBLISH:
                if (id == PropertyId.TOPIC_ALIAS) {
                    topicAlias = true;
                }
                if (id == PropertyId.SUBSCRIPTION_IDENTIFIER) {
                    throw notSupported(propertyName, commandName);
                }
                break;
            case CONNACK:
                throw new Invalid(""); // mosquitto refuses it without a word
            default:
                throw notSupported(propertyName, commandName);
        }
        lists.computeIfAbsent(command, c -> new ArrayList<>()).add(value(id, propertyName, name, value));
        return last;
    }

    private static Invalid notSupported(String propertyName, String commandName) {
        return new Invalid("Error: " + propertyName + " property not supported for " + commandName
                + " in --property argument.\n\n");
    }

    private static Property value(PropertyId id, String propertyName, String name, String value) throws Invalid {
        switch (id.type()) {
            case BYTE:
                return new Property.Number(id, number(propertyName, value, 0xFF));
            case TWO_BYTE_INT:
                return new Property.Number(id, number(propertyName, value, 0xFFFF));
            case FOUR_BYTE_INT:
                return new Property.Number(id, number(propertyName, value, 0xFFFFFFFFL));
            case VARIABLE_INT:
                return new Property.Number(id, number(propertyName, value, 268_435_455));
            case BINARY: {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                if (bytes.length > 0xFFFF) {
                    throw new Invalid("Error: Property value too long for property " + propertyName + ".\n\n");
                }
                return new Property.Binary(id, bytes);
            }
            case UTF8_PAIR:
                return new Property.UserProperty(name, value);
            default:
                return new Property.Text(id, value);
        }
    }

    private static long number(String propertyName, String value, long max) throws Invalid {
        long n = CNumbers.atol(value);
        if (n < 0 || n > max) {
            throw new Invalid("Error: Property value (" + n + ") out of range for property " + propertyName
                    + ".\n\n");
        }
        return n;
    }

    static Command command(String name) {
        for (Command c : Command.values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** The property for mosquitto's name of it ("message-expiry-interval"), or null. */
    static PropertyId property(String name) {
        for (PropertyId id : PropertyId.values()) {
            if (name(id).equalsIgnoreCase(name)) {
                return id;
            }
        }
        return null;
    }

    /** mosquitto's name of a property: the specification's, lower case, words joined by '-'. */
    static String name(PropertyId id) {
        return id.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Adds a property the options imply (the session expiry interval of {@code -x} and {@code -c}). */
    void addImplied(Command command, Property property) {
        lists.computeIfAbsent(command, c -> new ArrayList<>()).add(property);
    }

    /**
     * Checks each command's list as mosquitto_property_check_all() does: a flag above 1, a zero maximum
     * packet size, receive maximum or topic alias is a protocol error, and only user properties (and
     * subscription identifiers) may repeat.
     */
    void check() throws Invalid {
        for (Command command : SENT) {
            List<Property> list = lists.getOrDefault(command, List.of());
            Set<PropertyId> seen = EnumSet.noneOf(PropertyId.class);
            for (Property p : list) {
                String error = null;
                if (p instanceof Property.Number n) {
                    if (FLAGS.contains(p.id()) && n.value() > 1 || n.value() == 0 && (p.id() == PropertyId.MAXIMUM_PACKET_SIZE
                            || p.id() == PropertyId.RECEIVE_MAXIMUM || p.id() == PropertyId.TOPIC_ALIAS)) {
                        error = "A network protocol error occurred when communicating with the broker.";
                    }
                }
                if (error == null && !p.id().repeatable() && !seen.add(p.id())) {
                    error = "Duplicate property in property list";
                }
                if (error != null) {
                    throw new Invalid("Error in " + (command == Command.WILL ? "Will" : command.name())
                            + " properties: " + error + "\n");
                }
            }
        }
    }

    Properties of(Command command) {
        return Properties.of(lists.getOrDefault(command, List.of()));
    }

    /** Whether {@code -D publish topic-alias} was given: later publishes then leave the topic out. */
    boolean hasTopicAlias() {
        return topicAlias;
    }
}
