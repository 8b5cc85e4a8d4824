package io.starling.mqtt.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The MQTT 5.0 properties of one packet, in wire order. Immutable.
 *
 * <p>Kept as an ordered list rather than one field per property so that a decoded packet re-encodes
 * to the same bytes and the broker controls the order it sends (mosquitto compatibility). Packets
 * carry a handful of properties at most, so lookups scan the list.
 */
public final class Properties {
    public static final Properties EMPTY = new Properties(List.of());

    private final List<Property> list;

    private Properties(List<Property> list) {
        this.list = list;
    }

    public static Properties of(List<Property> properties) {
        return properties.isEmpty() ? EMPTY : new Properties(List.copyOf(properties));
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Property> asList() {
        return list;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public boolean contains(PropertyId id) {
        for (Property p : list) {
            if (p.id() == id) {
                return true;
            }
        }
        return false;
    }

    /** The value of an integer property, or {@code absent} when the packet does not carry it. */
    public long number(PropertyId id, long absent) {
        for (Property p : list) {
            if (p.id() == id && p instanceof Property.Number n) {
                return n.value();
            }
        }
        return absent;
    }

    /** All values of a repeatable integer property (subscription identifiers). */
    public List<Long> numbers(PropertyId id) {
        List<Long> values = null;
        for (Property p : list) {
            if (p.id() == id && p instanceof Property.Number n) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(n.value());
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** The value of a string property, or null. */
    public String text(PropertyId id) {
        for (Property p : list) {
            if (p.id() == id && p instanceof Property.Text t) {
                return t.value();
            }
        }
        return null;
    }

    /** The value of a binary property, or null. */
    public byte[] binary(PropertyId id) {
        for (Property p : list) {
            if (p.id() == id && p instanceof Property.Binary b) {
                return b.value();
            }
        }
        return null;
    }

    public List<Property.UserProperty> userProperties() {
        List<Property.UserProperty> values = null;
        for (Property p : list) {
            if (p instanceof Property.UserProperty u) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(u);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** A copy without the given properties (e.g. dropping a topic alias before forwarding). */
    public Properties without(PropertyId... ids) {
        List<Property> kept = new ArrayList<>(list.size());
        outer:
        for (Property p : list) {
            for (PropertyId id : ids) {
                if (p.id() == id) {
                    continue outer;
                }
            }
            kept.add(p);
        }
        return kept.size() == list.size() ? this : of(kept);
    }

    /** A copy with the given property replacing every earlier one of the same id, appended last. */
    public Properties with(Property property) {
        List<Property> next = new ArrayList<>(list.size() + 1);
        for (Property p : list) {
            if (p.id() != property.id() || property.id().repeatable()) {
                next.add(p);
            }
        }
        next.add(property);
        return of(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Properties p && p.list.equals(list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    @Override
    public String toString() {
        return list.toString();
    }

    /** Collects properties in the order they are added. */
    public static final class Builder {
        private final List<Property> list = new ArrayList<>();

        public Builder number(PropertyId id, long value) {
            list.add(new Property.Number(id, value));
            return this;
        }

        public Builder text(PropertyId id, String value) {
            list.add(new Property.Text(id, value));
            return this;
        }

        public Builder binary(PropertyId id, byte[] value) {
            list.add(new Property.Binary(id, value));
            return this;
        }

        public Builder user(String name, String value) {
            list.add(new Property.UserProperty(name, value));
            return this;
        }

        public Builder add(Property property) {
            list.add(property);
            return this;
        }

        public Properties build() {
            return Properties.of(list);
        }
    }
}
