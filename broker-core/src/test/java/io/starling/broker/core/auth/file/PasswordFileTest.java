package io.starling.broker.core.auth.file;

import static io.starling.broker.core.auth.file.PasswordHashTest.ALICE_SECRET_7;
import static io.starling.broker.core.auth.file.PasswordHashTest.BOB_HUNTER2_6;
import static io.starling.broker.core.auth.file.PasswordHashTest.SECRET_ARGON2ID_TWO_LANES;
import static io.starling.broker.core.auth.file.PasswordHashTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordFileTest {
    @TempDir
    Path dir;

    @Test
    void fileWithEveryFormat_verifiesEachUsersPassword() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of(
                "alice:" + ALICE_SECRET_7,
                "bob:" + BOB_HUNTER2_6,
                "carol:" + SECRET_ARGON2ID_TWO_LANES));

        assertThat(file.usernames()).containsExactly("alice", "bob", "carol");
        assertThat(file.verify("alice", bytes("secret"))).isTrue();
        assertThat(file.verify("bob", bytes("hunter2"))).isTrue();
        assertThat(file.verify("carol", bytes("secret"))).isTrue();
        assertThat(file.verify("alice", bytes("hunter2"))).isFalse();
        assertThat(file.verify("bob", bytes("secret"))).isFalse();
        assertThat(file.verify("mallory", bytes("secret"))).isFalse();
    }

    @Test
    void commentsBlankLinesSpacesAndCrLf_areSkipped() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of(
                "# users of the plant floor",
                "",
                "   ",
                "  alice : " + ALICE_SECRET_7 + " \r"));

        assertThat(file.usernames()).containsExactly("alice");
        assertThat(file.verify("alice", bytes("secret"))).isTrue();
    }

    @Test
    void usernames_matchExactly() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7));

        assertThat(file.verify("Alice", bytes("secret"))).isFalse();
        assertThat(file.verify("alice ", bytes("secret"))).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "plain-text password    | bob:hunter2    | Warning: pw:2: user 'bob': password is not hashed (plain text?)",
        "missing hash           | 'bob:'         | Warning: pw:2: user 'bob': missing password hash",
        "blank user             | ' :$6$abc$def' | Warning: pw:2: invalid line",
        "unknown hash type      | bob:$1$abc$def | Warning: pw:2: user 'bob': unknown password hash type '$1$'",
        "malformed $7$          | bob:$7$101$abc | Warning: pw:2: user 'bob': malformed password hash",
    })
    void unusableLine_isSkippedWithAWarningNamingFileAndLine_andTheOtherUsersStay(String what, String line,
            String warning) throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7, line, "carol:" + BOB_HUNTER2_6));

        assertThat(file.usernames()).containsExactly("alice", "carol");
        assertThat(file.verify("carol", bytes("hunter2"))).isTrue();
        assertThat(file.warnings()).singleElement().asString().startsWith(warning);
    }

    @Test
    void lineWithoutColonAndCommentLines_areSkippedSilently() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of("bob", "#carol:" + BOB_HUNTER2_6, "alice:" + ALICE_SECRET_7));

        assertThat(file.usernames()).containsExactly("alice");
        assertThat(file.warnings()).isEmpty();
    }

    @Test
    void lineStartingWithSpaceThenHash_isAUserNotAComment() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of(" #carol:" + BOB_HUNTER2_6));

        assertThat(file.verify("#carol", bytes("hunter2"))).isTrue();
    }

    @Test
    void userOnSeveralLines_theLastUsableLineCounts() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of(
                "dup:" + ALICE_SECRET_7, "dup:" + BOB_HUNTER2_6,
                "kept:" + ALICE_SECRET_7, "kept:plain"));

        assertThat(file.verify("dup", bytes("hunter2"))).isTrue();
        assertThat(file.verify("dup", bytes("secret"))).isFalse();
        assertThat(file.verify("kept", bytes("secret"))).isTrue();
    }

    @Test
    void warning_neverRepeatsTheHash() throws Exception {
        String line = "bob:$6$TONIB8wRz8d5co/L$c2FsdA==";

        assertThat(PasswordFile.parse("pw", List.of(line)).warnings()).containsExactly(
                "Warning: pw:1: user 'bob': malformed password hash: hash is 4 bytes, expected 64; line skipped.");
    }

    @Test
    void read_takesTheFileFromDisk() throws Exception {
        Path path = dir.resolve("passwd");
        Files.writeString(path, "alice:" + ALICE_SECRET_7 + "\n", StandardCharsets.UTF_8);

        assertThat(PasswordFile.read(path).verify("alice", bytes("secret"))).isTrue();
    }

    @Test
    void read_missingFile_isAnError() {
        Path path = dir.resolve("missing");

        assertThatThrownBy(() -> PasswordFile.read(path))
                .isInstanceOf(PasswordFileException.class)
                .hasMessage("Error: Unable to open password file " + path + ": no such file.");
    }

    @Test
    void read_warningsNameThePath() throws Exception {
        Path path = dir.resolve("passwd");
        Files.writeString(path, "# comment\nalice:secret\n", StandardCharsets.UTF_8);

        assertThat(PasswordFile.read(path).warnings()).singleElement().asString()
                .startsWith("Warning: " + path + ":2: user 'alice'");
    }

    @Test
    void unknownUser_stillRunsOneHash_againstADecoyOfTheFilesCost() throws Exception {
        List<PasswordHash> hashed = new ArrayList<>();
        BiPredicate<PasswordHash, byte[]> counting = (hash, password) -> {
            hashed.add(hash);
            return hash.matches(password);
        };
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7)).withHashCheck(counting);

        assertThat(file.verify("mallory", bytes("secret"))).isFalse();

        assertThat(hashed).containsExactly(file.decoy());
        assertThat(file.decoy().cost()).isEqualTo("$7$101");
    }

    @Test
    void knownUserWithWrongPassword_runsOneHash_ofTheUsersEntry() throws Exception {
        List<PasswordHash> hashed = new ArrayList<>();
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7))
                .withHashCheck((hash, password) -> hashed.add(hash) && hash.matches(password));

        assertThat(file.verify("alice", bytes("wrong"))).isFalse();

        assertThat(hashed).hasSize(1);
        assertThat(hashed.get(0).encode()).isEqualTo(ALICE_SECRET_7);
    }

    @Test
    void nullUsername_runsTheDecoyHashToo() throws Exception {
        List<PasswordHash> hashed = new ArrayList<>();
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7))
                .withHashCheck((hash, password) -> hashed.add(hash) && hash.matches(password));

        assertThat(file.verify(null, bytes("secret"))).isFalse();
        assertThat(hashed).containsExactly(file.decoy());
    }

    @Test
    void decoy_takesTheCostMostEntriesHave() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of(
                "old:" + BOB_HUNTER2_6,
                "a:" + PasswordHash.hash7("a"),
                "b:" + PasswordHash.hash7("b")));

        assertThat(file.decoy().cost()).isEqualTo("$7$101");
    }

    @Test
    void emptyFile_hasNoUsers_andADefaultDecoy() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of("# nobody yet"));

        assertThat(file.size()).isZero();
        assertThat(file.verify("alice", bytes("secret"))).isFalse();
        assertThat(file.decoy().cost()).isEqualTo("$7$101");
    }

    @Test
    void decoyNeverLetsAnUnknownUserIn_evenIfItsHashMatched() throws Exception {
        PasswordFile file = PasswordFile.parse("pw", List.of("alice:" + ALICE_SECRET_7))
                .withHashCheck((hash, password) -> true);

        assertThat(file.verify("mallory", bytes("anything"))).isFalse();
        assertThat(file.verify("alice", bytes("anything"))).isTrue();
    }
}
