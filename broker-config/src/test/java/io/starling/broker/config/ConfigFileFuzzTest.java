package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The config reader under arbitrary files (docs/fuzzing.md): the input is the file. It is read into a
 * {@link BrokerConfig} or refused with a {@link ConfigException} that names a file and a line
 * ({@code Error: <file>:<line>: ...}); any other exception, or an error without its position, is a
 * finding. The dictionary holds the option names, so that the fuzzer writes lines the reader knows.
 */
class ConfigFileFuzzTest {
    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("config-fuzz");
        file = dir.resolve("mosquitto.conf");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "5s")
    @DictionaryFile(resourcePath = "config.dict")
    void anyFile_readsOrFailsWithFileAndLine(byte[] contents) throws IOException {
        Files.write(file, contents);
        try {
            ConfigFile.read(file);
        } catch (ConfigException e) {
            assertThat(e.file()).as("the file of: %s", e.getMessage()).isNotNull();
            assertThat(e.line()).as("the line of: %s", e.getMessage()).isPositive();
            assertThat(e.getMessage()).startsWith("Error: " + e.file() + ":" + e.line() + ": ");
        }
    }
}
