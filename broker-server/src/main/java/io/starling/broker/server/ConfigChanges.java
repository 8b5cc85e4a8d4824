package io.starling.broker.server;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a mosquitto.conf read again at SIGHUP changes. The security options are applied at once (as
 * mosquitto reloads them); everything else is named, since it takes effect at the next start.
 */
final class ConfigChanges {
    private static final List<String> SECURITY = List.of("security", "warnings");

    private ConfigChanges() {
    }

    /** The parts of the configuration, other than security options, that differ (record component names). */
    static List<String> outsideSecurity(BrokerConfig running, BrokerConfig read) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent c : BrokerConfig.class.getRecordComponents()) {
            if (SECURITY.contains(c.getName())) {
                continue;
            }
            Object before = value(c, running);
            Object after = value(c, read);
            boolean same = c.getName().equals("listeners")
                    ? withoutSecurity(running.listeners()).equals(withoutSecurity(read.listeners()))
                    : Objects.equals(before, after);
            if (!same) {
                changed.add(c.getName());
            }
        }
        return changed;
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

    private static List<ListenerConfig> withoutSecurity(List<ListenerConfig> listeners) {
        List<ListenerConfig> out = new ArrayList<>();
        for (ListenerConfig l : listeners) {
            out.add(new ListenerConfig(l.port(), l.address(), l.protocol(), l.socketDomain(), l.maxConnections(),
                    l.mountPoint(), l.maxQos(), l.maxTopicAlias(), l.tls(), null, l.http()));
        }
        return out;
    }

    private static Object value(RecordComponent c, BrokerConfig config) {
        try {
            return c.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
