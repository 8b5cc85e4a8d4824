package io.starling.broker.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.LoggingConfig;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mosquitto's log options mapped to Logback (checked through LogSetup's package-visible helpers). */
class LogSetupTest {
    @TempDir
    Path dir;

    private static Object call(String method, Class<?> type, Object arg) throws Exception {
        Class<?> setup = Class.forName("io.starling.broker.server.LogSetup");
        Method m = setup.getDeclaredMethod(method, type);
        m.setAccessible(true);
        return m.invoke(null, arg);
    }

    private LoggingConfig logging(String text) throws Exception {
        Path file = dir.resolve("m.conf");
        Files.writeString(file, text);
        return ConfigFile.read(file).logging();
    }

    @Test
    void defaultLogTypes_logInformationAndAbove() throws Exception {
        assertThat(call("levelOf", Set.class, logging("").types()).toString()).isEqualTo("INFO");
    }

    @Test
    void logTypeDebug_logsEverything() throws Exception {
        assertThat(call("levelOf", Set.class, logging("log_type debug\n").types()).toString()).isEqualTo("DEBUG");
    }

    @Test
    void onlyErrors_logsErrors() throws Exception {
        assertThat(call("levelOf", Set.class, logging("log_type error\n").types()).toString()).isEqualTo("ERROR");
    }

    @Test
    void subscribeAlone_keepsTheRootAtOff() throws Exception {
        // subscribe lines have their own logger: the packet trace stays off (LogTypeFilterTest)
        assertThat(call("levelOf", Set.class, logging("log_type subscribe\n").types()).toString()).isEqualTo("OFF");
    }

    @Test
    void defaultTimestamp_isSecondsSinceTheEpochLikeMosquitto() throws Exception {
        assertThat(call("timestampPattern", String.class, null)).isEqualTo("%unixtime");
    }

    @Test
    void strftimeFormat_isTranslated() throws Exception {
        assertThat(call("timestampPattern", String.class, "%Y-%m-%dT%H:%M:%S")).isEqualTo("%d{yyyy-MM-dd'T'HH:mm:ss}");
    }
}
