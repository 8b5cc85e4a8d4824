package io.starling.broker.server.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario of {@code src/test/resources/differential/*.scenarios}, run against Debian's
 * mosquitto and against Starling: both must answer with the same bytes in the same order, or both
 * close, except in the steps a scenario gives one broker with a row of docs/compatibility.md.
 * Mosquitto is the oracle, so each scenario's written expectations are checked against it first.
 * Skipped when mosquitto is not installed. {@code -Ddifferential.only=text} runs the scenarios whose
 * file name or title contains the text; {@code -Ddifferential.show=true} prints both transcripts.
 */
class DifferentialTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicNode> scenariosAnswerAsMosquittoDoes() throws IOException, URISyntaxException {
        Path root = Path.of(DifferentialTest.class.getResource("/differential").toURI());
        String compatibility = Files.readString(Path.of("..", "docs", "compatibility.md"));
        String only = System.getProperty("differential.only", "").toLowerCase(Locale.ROOT);
        List<Path> files;
        try (Stream<Path> listing = Files.list(root)) {
            files = listing.filter(p -> p.toString().endsWith(".scenarios")).sorted().toList();
        }
        return files.stream().map(file -> {
            String name = file.getFileName().toString().replace(".scenarios", "");
            List<Scenario> scenarios;
            try {
                scenarios = ScenarioFile.parse(name, Files.readString(file, StandardCharsets.UTF_8), compatibility);
            } catch (IOException | RuntimeException e) {
                return DynamicTest.dynamicTest(name, () -> {
                    throw e;
                });
            }
            Stream<DynamicTest> tests = scenarios.stream()
                    .filter(s -> only.isEmpty() || name.toLowerCase(Locale.ROOT).contains(only)
                            || s.title().toLowerCase(Locale.ROOT).contains(only))
                    .map(s -> DynamicTest.dynamicTest(s.title(), java.net.URI.create(file.toUri() + "?line=" + s.line()), () -> check(s)));
            return DynamicContainer.dynamicContainer(name, tests);
        });
    }

    private void check(Scenario scenario) throws Exception {
        assumeTrue(MosquittoProcess.installed(), "mosquitto is not installed");
        Path base = dir.resolve(scenario.file() + "-" + scenario.line());
        Transcript mosquitto = ScenarioRun.run(scenario, base.resolve("mosquitto"), "mosquitto",
                MosquittoProcess::start);
        assertThat(mosquitto.unmet).as("the scenario's expectations, checked against mosquitto (the oracle)")
                .isEmpty();
        Transcript starling = ScenarioRun.run(scenario, base.resolve("starling"), "starling",
                StarlingInProcess::start);
        assertThat(starling.unmet).as("the scenario's expectations, checked against Starling").isEmpty();
        if (Boolean.getBoolean("differential.show")) {
            System.out.println(scenario + "\n" + mosquitto + starling);
        }
        String difference = Transcript.difference(mosquitto, starling);
        assertThat(difference).as("Starling against mosquitto, step by step").isNull();
    }
}
