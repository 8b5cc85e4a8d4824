package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IncludeDirTest extends ConfigTestSupport {

    /** One listener per file, so the listener order is the reading order. */
    @Test
    void filesAreRead_inMosquittosOrder_upperCaseBeforeLowerCase() throws Exception {
        String[] names = {"b", "A", "01", "a", "B", "00", "_x"};
        for (int i = 0; i < names.length; i++) {
            write("conf.d/" + names[i] + ".conf", "listener " + (2000 + i) + "\n");
        }
        BrokerConfig c = read("include_dir " + dir.resolve("conf.d") + "\n");
        // 00 01 A a B b _x: mosquitto compares upper-cased characters first, and '_' sorts after the letters.
        assertThat(c.listeners()).extracting(ListenerConfig::port).containsExactly(2005, 2002, 2001, 2003, 2004, 2000, 2006);
    }

    @Test
    void onlyFilesEndingInDotConf_areRead() throws Exception {
        write("conf.d/README", "not a config\n");
        write("conf.d/x.conf.bak", "not a config either\n");
        write("conf.d/.conf", "too short to count\n");
        write("conf.d/tls.conf", "listener 8883\n");
        BrokerConfig c = read("include_dir " + dir.resolve("conf.d") + "\n");
        assertThat(c.listeners()).extracting(ListenerConfig::port).containsExactly(8883);
    }

    @Test
    void includedOptions_applyWhereTheIncludeDirLineIs() throws Exception {
        write("conf.d/a.conf", "listener 1884\n");
        BrokerConfig c = read("listener 1883\ninclude_dir " + dir.resolve("conf.d") + "\nmax_qos 1\n");
        // max_qos follows the included listener line, so it configures 1884.
        assertThat(c.listeners()).extracting(ListenerConfig::maxQos).containsExactly(2, 1);
    }

    @Test
    void severalIncludeDirs_areReadCompletely_inTheOrderGiven() throws Exception {
        write("one.d/B.conf", "listener 1\n");
        write("one.d/C.conf", "listener 2\n");
        write("two.d/A.conf", "listener 3\n");
        write("two.d/D.conf", "listener 4\n");
        BrokerConfig c = read("include_dir " + dir.resolve("one.d") + "\ninclude_dir " + dir.resolve("two.d") + "\n");
        assertThat(c.listeners()).extracting(ListenerConfig::port).containsExactly(1, 2, 3, 4);
    }

    @Test
    void emptyDirectory_isFine() throws Exception {
        Files.createDirectories(dir.resolve("empty.d"));
        assertThat(read("include_dir " + dir.resolve("empty.d") + "\n")).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void errorInAnIncludedFile_namesThatFileAndLine() throws Exception {
        Path bad = write("conf.d/bad.conf", "# first line\nlisten 1883\n");
        assertThat(error("include_dir " + dir.resolve("conf.d") + "\n"))
                .isEqualTo("Error: " + bad + ":2: Unknown configuration variable \"listen\".");
    }

    @Test
    void duplicateAcrossFiles_namesBothPlaces() throws Exception {
        Path included = write("conf.d/auth.conf", "password_file /etc/mosquitto/other\n");
        assertThat(error("password_file /etc/mosquitto/passwd\ninclude_dir " + dir.resolve("conf.d") + "\n"))
                .isEqualTo("Error: " + included + ":1: Duplicate password_file value in configuration (first given at "
                        + main() + ":1).");
    }

    @Test
    void warningsFromIncludedFiles_nameThoseFiles() throws Exception {
        Path included = write("conf.d/old.conf", "memory_limit 1000000\n");
        BrokerConfig c = read("include_dir " + dir.resolve("conf.d") + "\n");
        assertThat(c.warnings()).containsExactly(
                "Warning: " + included + ":1: 'memory_limit' is not supported yet and was ignored.");
    }

    @Test
    void missingDirectory_isAnError() throws Exception {
        Path missing = dir.resolve("nope");
        assertThat(error("\ninclude_dir " + missing + "\n")).isEqualTo(errorAt(2, "Unable to open include_dir '" + missing + "'."));
    }

    @Test
    void fileInsteadOfDirectory_isAnError() throws Exception {
        Path file = write("plain.conf", "");
        assertThat(error("include_dir " + file + "\n")).isEqualTo(errorAt(1, "Unable to open include_dir '" + file + "'."));
    }

    @Test
    void unreadableIncludedFile_isAnErrorAtTheIncludeDirLine() throws Exception {
        Files.createDirectories(dir.resolve("conf.d/sub.conf"));
        assertThat(error("include_dir " + dir.resolve("conf.d") + "\n"))
                .isEqualTo(errorAt(1, "Config file " + dir.resolve("conf.d/sub.conf") + " is a directory."));
    }

    @Test
    void includeDirInAnIncludedFile_isIgnored_asInMosquitto() throws Exception {
        Path nested = write("conf.d/a.conf", "include_dir " + dir.resolve("other.d") + "\n");
        write("other.d/b.conf", "listener 1999\n");
        BrokerConfig c = read("include_dir " + dir.resolve("conf.d") + "\n");
        assertThat(c.listeners()).isEmpty();
        assertThat(c.warnings()).containsExactly("Warning: " + nested
                + ":1: include_dir is only read in the main configuration file; this one was ignored.");
    }

    @Test
    void directoryHoldingTheMainFile_isAnError() throws Exception {
        Path mainFile = write("mosquitto.conf", "include_dir " + dir + "\n");
        assertThatThrownBy(() -> ConfigFile.read(mainFile)).hasMessage(errorAt(1, "include_dir '" + dir
                + "' must not contain the main configuration file (" + mainFile + ")."));
    }
}
