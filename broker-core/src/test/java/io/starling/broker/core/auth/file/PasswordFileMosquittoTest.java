package io.starling.broker.core.auth.file;

import static io.starling.broker.core.auth.file.PasswordHashTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by the real mosquitto_passwd (the {@code mosquitto} package), read by {@link PasswordFile}. */
class PasswordFileMosquittoTest {
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsMosquittoPasswd() {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "mosquitto_passwd is not installed");
    }

    @Test
    void mosquittoPasswdFile_verifiesEachUser_inEveryHashItWrites() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-b", "-c", file.toString(), "alice", "secret");
        // Typed (piped) rather than an argument: the bytes stay UTF-8 whatever the locale.
        mosquittoPasswdTyping("pässwörd with spaces", file.toString(), "bob");
        mosquittoPasswd("-H", "sha512", "-b", file.toString(), "legacy", "old-one");
        mosquittoPasswd("-I", "1000", "-b", file.toString(), "slow", "-starts-with-dash");

        PasswordFile passwords = PasswordFile.read(file);

        assertThat(passwords.usernames()).containsExactly("alice", "bob", "legacy", "slow");
        assertThat(passwords.verify("alice", bytes("secret"))).isTrue();
        assertThat(passwords.verify("bob", bytes("pässwörd with spaces"))).isTrue();
        assertThat(passwords.verify("legacy", bytes("old-one"))).isTrue();
        assertThat(passwords.verify("slow", bytes("-starts-with-dash"))).isTrue();
        assertThat(passwords.verify("alice", bytes("Secret"))).isFalse();
        assertThat(passwords.verify("bob", bytes("pässwörd"))).isFalse();
        assertThat(passwords.verify("legacy", bytes("old-onE"))).isFalse();
        assertThat(passwords.verify("slow", bytes("starts-with-dash"))).isFalse();
    }

    @Test
    void mosquittoPasswdHashes_areTheFormatsWeExpect() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-b", "-c", file.toString(), "alice", "secret");
        mosquittoPasswd("-H", "sha512", "-b", file.toString(), "legacy", "old-one");

        List<String> lines = Files.readAllLines(file);

        assertThat(lines.get(0)).matches("alice:\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        assertThat(lines.get(1)).matches("legacy:\\$6\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
    }

    @Test
    void plainTextFile_beforeMosquittoPasswdU_letsNobodyIn_andAfterItIsRead() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:secret\nbob:hunter2\n");

        PasswordFile plain = PasswordFile.read(file);
        assertThat(plain.usernames()).isEmpty();
        assertThat(plain.warnings()).first().isEqualTo("Warning: " + file + ":1: user 'alice': password is not "
                + "hashed (plain text?); hash the file with 'starling passwd -U'; line skipped.");

        mosquittoPasswd("-U", file.toString());
        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.verify("alice", bytes("secret"))).isTrue();
        assertThat(passwords.verify("bob", bytes("hunter2"))).isTrue();
    }

    private static void mosquittoPasswd(String... args) throws IOException, InterruptedException {
        run(null, args);
    }

    private static void mosquittoPasswdTyping(String password, String... args)
            throws IOException, InterruptedException {
        run(password + "\n" + password + "\n", args);
    }

    private static void run(String input, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(MOSQUITTO_PASSWD.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("mosquitto_passwd %s: %s", command, output).isZero();
    }
}
