package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The HTTP API's little JSON writer. */
class JsonWriterTest {

    @Test
    void objectsAndArrays_getTheirCommas() {
        String json = new JsonWriter().beginObject().name("listeners").beginArray()
                .beginObject().name("port").value(1883).name("tls").value(false).endObject()
                .beginObject().name("port").value(9883).name("protocol").value("httpapi").endObject()
                .endArray().name("n").value((String) null).endObject().toString();

        assertThat(json).isEqualTo("{\"listeners\":[{\"port\":1883,\"tls\":false},{\"port\":9883,\"protocol\":\"httpapi\"}],"
                + "\"n\":null}");
    }

    @Test
    void strings_areEscaped() {
        String json = new JsonWriter().beginArray().value("a\"b\\c\nd\u0001\u2028").endArray().toString();

        assertThat(json).isEqualTo("[\"a\\\"b\\\\c\\nd\\u0001\\u2028\"]");
    }

    @Test
    void basicCredentials_areReadFromTheHeader() {
        assertThat(HttpApiHandler.basicCredentials("Basic YWRtaW46czNjcjN0Ong=")).containsExactly("admin", "s3cr3t:x");
        assertThat(HttpApiHandler.basicCredentials("Bearer abc")).isNull();
        assertThat(HttpApiHandler.basicCredentials("Basic !!!")).isNull();
        assertThat(HttpApiHandler.basicCredentials(null)).isNull();
    }
}
