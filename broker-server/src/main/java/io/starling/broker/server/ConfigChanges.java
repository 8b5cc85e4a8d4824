package io.starling.broker.server;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.Limits;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.PersistenceConfig;
import io.starling.broker.core.BrokerSettings;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a mosquitto.conf read again at SIGHUP changes, split as mosquitto 2.0.11 splits it (its
 * {@code config__copy} in conf.c, checked against /usr/sbin/mosquitto: docs/configuration.md, "What
 * SIGHUP reloads"). Applied at once: the security options ({@code allow_anonymous},
 * {@code password_file}, {@code acl_file}, {@code allow_zero_length_clientid}, {@code auto_id_prefix},
 * broker-wide or per listener), the logging options, {@code message_size_limit},
 * {@code upgrade_outgoing_qos}, {@code queue_qos0_messages}, {@code persistent_client_expiration},
 * {@code clientid_prefixes} and {@code sys_interval}. Everything else is named, since it takes effect at
 * the next start (mosquitto reads it and throws it away).
 */
final class ConfigChanges {
    /** Top-level components a reload applies (or that are no option: warnings). */
    private static final List<String> RELOADED = List.of("security", "warnings", "logging",
            "persistentClientExpiration", "upgradeOutgoingQos", "clientidPrefixes", "sysInterval");
    /** The {@link Limits} a reload applies. */
    private static final List<String> RELOADED_LIMITS = List.of("messageSizeLimit", "queueQos0Messages");
    /** Option names where the component's snake case is not the option's. */
    private static final Map<String, String> OPTION_NAMES = Map.of(
            "enabled", "persistence", "location", "persistence_location", "file", "persistence_file",
            "clientidPrefixes", "clientid_prefixes", "overload", "overload limits", "cluster", "cluster_* options");

    private ConfigChanges() {
    }

    /**
     * The options whose change a reload does not apply (they take effect at the next start), as
     * mosquitto.conf names them; {@code listeners} for any change to a listener other than its
     * security options.
     */
    static List<String> atNextStart(BrokerConfig running, BrokerConfig read) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent c : BrokerConfig.class.getRecordComponents()) {
            String name = c.getName();
            if (RELOADED.contains(name)) {
                continue;
            }
            switch (name) {
                case "listeners" -> {
                    if (!withoutSecurity(running.listeners()).equals(withoutSecurity(read.listeners()))) {
                        changed.add("listeners");
                    }
                }
                case "limits" -> changed.addAll(differences(Limits.class, running.limits(), read.limits(), RELOADED_LIMITS));
                case "persistence" -> changed.addAll(differences(PersistenceConfig.class, running.persistence(),
                        read.persistence(), List.of()));
                default -> {
                    if (!Objects.equals(value(c, running), value(c, read))) {
                        changed.add(optionName(name));
                    }
                }
            }
        }
        return changed;
    }

    /**
     * The broker-wide settings with the options a reload applies taken from {@code read} (the rest
     * stay as they are).
     */
    static BrokerSettings reloaded(BrokerSettings running, BrokerConfig read) {
        return running.toBuilder()
                .messageSizeLimit(read.messageSizeLimit())
                .queueQos0Messages(read.queueQos0Messages())
                .upgradeOutgoingQos(read.upgradeOutgoingQos())
                .persistentClientExpirationSeconds(
                        read.persistentClientExpiration() == null ? 0 : read.persistentClientExpiration().toSeconds())
                .clientIdPrefixes(read.clientidPrefixes())
                .allowZeroLengthClientId(read.allowZeroLengthClientId())
                .autoIdPrefix(read.autoIdPrefix())
                .build();
    }

    /**
     * The listener of {@code read} on the same port, address and protocol as {@code running}, whose
     * security options then apply to it; {@code running} itself when the file no longer has it.
     */
    static ListenerConfig sameListener(BrokerConfig read, ListenerConfig running) {
        for (ListenerConfig l : read.listeners()) {
            if (l.port() == running.port() && Objects.equals(l.address(), running.address())
                    && l.protocol() == running.protocol()) {
                return l;
            }
        }
        return running;
    }

    private static <R extends Record> List<String> differences(Class<R> type, R running, R read, List<String> skip) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (!skip.contains(c.getName()) && !Objects.equals(value(c, running), value(c, read))) {
                out.add(optionName(c.getName()));
            }
        }
        return out;
    }

    /** mosquitto.conf's name for a component: maxInflightMessages is max_inflight_messages. */
    static String optionName(String component) {
        String special = OPTION_NAMES.get(component);
        if (special != null) {
            return special;
        }
        StringBuilder out = new StringBuilder();
        for (char ch : component.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                out.append('_').append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    private static List<ListenerConfig> withoutSecurity(List<ListenerConfig> listeners) {
        List<ListenerConfig> out = new ArrayList<>();
        for (ListenerConfig l : listeners) {
            out.add(new ListenerConfig(l.port(), l.address(), l.protocol(), l.socketDomain(), l.maxConnections(),
                    l.mountPoint(), l.maxQos(), l.maxTopicAlias(), l.tls(), null, l.http()));
        }
        return out;
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
