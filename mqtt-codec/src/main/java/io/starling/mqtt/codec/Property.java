package io.starling.mqtt.codec;

import java.util.Arrays;
import java.util.Objects;

/** One MQTT 5.0 property: a typed value under a {@link PropertyId}. */
public sealed interface Property permits Property.Number, Property.Text, Property.Binary, Property.UserProperty {

    PropertyId id();

    /** A byte, two-byte, four-byte or variable byte integer property (unsigned values fit a long). */
    record Number(PropertyId id, long value) implements Property {
        public Number {
            Objects.requireNonNull(id);
        }
    }

    /** A UTF-8 string property. */
    record Text(PropertyId id, String value) implements Property {
        public Text {
            Objects.requireNonNull(id);
            Objects.requireNonNull(value);
        }
    }

    /** Binary data (correlation data, authentication data): small, so held as an array. */
    record Binary(PropertyId id, byte[] value) implements Property {
        public Binary {
            Objects.requireNonNull(id);
            Objects.requireNonNull(value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && b.id == id && Arrays.equals(b.value, value);
        }

        @Override
        public int hashCode() {
            return id.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Binary[" + id + ", " + value.length + " bytes]";
        }
    }

    /** A user property: a name/value string pair; order and duplicates are significant. */
    record UserProperty(String name, String value) implements Property {
        public UserProperty {
            Objects.requireNonNull(name);
            Objects.requireNonNull(value);
        }

        @Override
        public PropertyId id() {
            return PropertyId.USER_PROPERTY;
        }
    }
}
