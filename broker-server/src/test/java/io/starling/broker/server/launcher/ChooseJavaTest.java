package io.starling.broker.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/choose-java, the JDK choice of bin/starling, on a made-up /usr/lib/jvm (STARLING_JVM_ROOT) and PATH:
 * JDKs are directories with a {@code release} file and a {@code bin/java} that is never run.
 */
class ChooseJavaTest {
    private static final String NEW_JDK_FLAGS = "--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED";
    private static final Path SCRIPT = Path.of("..", "bin", "choose-java").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path jvmRoot;
    private Path pathDir;

    @BeforeEach
    void layout() throws IOException {
        jvmRoot = Files.createDirectories(dir.resolve("jvm"));
        pathDir = Files.createDirectories(dir.resolve("path"));
        // The few tools the script may use, and no java (the machine's would otherwise be on the PATH).
        for (String tool : List.of("readlink", "sed")) {
            Files.createSymbolicLink(pathDir.resolve(tool), Path.of("/usr/bin", tool));
        }
    }

    @Test
    void newestJdkUnderTheRoot_winsOverAnOlderJavaOnThePath_withCompactObjectHeadersFrom25() throws Exception {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("java-21-openjdk-amd64", "21.0.7");
        Path jdk25 = jdk("temurin-25-jdk-amd64", "25.0.3");
        Files.createSymbolicLink(pathDir.resolve("java"), jdk17.resolve("bin/java"));

        assertThat(choose(Map.of())).containsExactly(jdk25.resolve("bin/java").toString(), NEW_JDK_FLAGS + " -XX:+UseCompactObjectHeaders");
    }

    @Test
    void newerUpdateOfTheSameFeatureRelease_wins() throws Exception {
        jdk("temurin-25.0.1", "25.0.1");
        Path newer = jdk("temurin-25.0.3", "25.0.3");
        jdk("temurin-25", "25");

        assertThat(choose(Map.of()).get(0)).isEqualTo(newer.resolve("bin/java").toString());
    }

    @Test
    void javaOnThePath_winsWhenItIsTheNewest_andA17GetsNoExtraFlags() throws Exception {
        jdk("java-17-openjdk-amd64", "17.0.15");
        Path elsewhere = jdk(dir.resolve("opt/jdk-21"), "21.0.7");
        Files.createSymbolicLink(pathDir.resolve("java"), elsewhere.resolve("bin/java"));

        assertThat(choose(Map.of())).containsExactly(pathDir.resolve("java").toString(), "");
    }

    @Test
    void jdksOlderThan17_areNotChosen() throws Exception {
        jdk("java-11-openjdk-amd64", "11.0.22");
        jdk("java-8-openjdk-amd64", "1.8.0_402");
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");

        assertThat(choose(Map.of()).get(0)).isEqualTo(jdk17.resolve("bin/java").toString());
    }

    @Test
    void noJdk17OrNewer_failsWithAMessageSayingWhatToSet() throws Exception {
        jdk("java-11-openjdk-amd64", "11.0.22");

        Result result = run(Map.of());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).contains("Starling needs a JDK 17 or newer").contains("JAVA_HOME");
    }

    @Test
    void javaHome_isTakenAsItIs_evenWhenANewerJdkIsInstalled() throws Exception {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(choose(Map.of("JAVA_HOME", jdk17.toString()))).containsExactly(jdk17.resolve("bin/java").toString(), "");
    }

    @Test
    void starlingJava_winsOverJavaHome_asADirectoryOrAnExecutable() throws Exception {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        Path jdk25 = jdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(choose(Map.of("JAVA_HOME", jdk25.toString(), "STARLING_JAVA", jdk17.toString())))
                .containsExactly(jdk17.resolve("bin/java").toString(), "");
        assertThat(choose(Map.of("STARLING_JAVA", jdk25.resolve("bin/java").toString())))
                .containsExactly(jdk25.resolve("bin/java").toString(), NEW_JDK_FLAGS + " -XX:+UseCompactObjectHeaders");
    }

    @Test
    void jdk24_unlocksTheExperimentalFlagFirst() throws Exception {
        Path jdk24 = jdk("jdk-24", "24.0.2");

        assertThat(choose(Map.of())).containsExactly(jdk24.resolve("bin/java").toString(),
                NEW_JDK_FLAGS + " -XX:+UnlockExperimentalVMOptions -XX:+UseCompactObjectHeaders");
    }

    @Test
    void aJavaWithoutReleaseFile_isAskedItsVersion() throws Exception {
        Path home = Files.createDirectories(jvmRoot.resolve("handmade/bin"));
        executable(home.resolve("java"), "#!/bin/sh\necho 'openjdk version \"25.0.1\" 2025-10-21' >&2\n");
        jdk("java-17-openjdk-amd64", "17.0.15");

        assertThat(choose(Map.of())).containsExactly(home.resolve("java").toString(), NEW_JDK_FLAGS + " -XX:+UseCompactObjectHeaders");
    }

    @Test
    void aJavaHomeWithoutJava_failsNamingIt() throws Exception {
        Result result = run(Map.of("JAVA_HOME", dir.resolve("nothing").toString()));
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).contains(dir.resolve("nothing/bin/java").toString()).contains("not an executable java");
    }

    @Test
    void nativeHeapTrimming_isOfferedOnlyWhereTheJdkHasTheFlag() throws Exception {
        Map<String, String> expected = Map.of("17.0.8", "0", "17.0.9", "1", "19.0.2", "0", "21.0.0", "0", "21.0.1", "1",
                "22", "1", "25.0.3", "1");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path home = jdk(dir.resolve("jdks/" + e.getKey()), e.getKey());
            Result result = run(Map.of("STARLING_JAVA", home.toString()));
            assertThat(result.status()).as(result.stderr()).isZero();
            assertThat(result.stdout().split("\n")[2]).as("JDK " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    private Path jdk(String name, String version) throws IOException {
        return jdk(jvmRoot.resolve(name), version);
    }

    private Path jdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        executable(home.resolve("bin/java"), "#!/bin/sh\nexit 99\n"); // the versions come from the release file
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The script's two lines: the java executable, and its flags. */
    private List<String> choose(Map<String, String> env) throws Exception {
        Result result = run(env);
        assertThat(result.status()).as(result.stderr()).isZero();
        return List.of(result.stdout().split("\n", -1)).subList(0, 2);
    }

    private Result run(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", SCRIPT.toString());
        builder.environment().clear();
        builder.environment().put("PATH", pathDir.toString());
        builder.environment().put("STARLING_JVM_ROOT", jvmRoot.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), stdout, stderr);
    }

    private record Result(int status, String stdout, String stderr) {
    }
}
