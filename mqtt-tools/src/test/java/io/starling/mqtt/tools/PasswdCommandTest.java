package io.starling.mqtt.tools;

import static io.starling.mqtt.tools.PasswdRun.passwd;
import static io.starling.mqtt.tools.PasswdRun.typing;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.file.PasswordFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code starling passwd}: mosquitto_passwd 2.0.11's behaviour, messages and exit statuses. */
class PasswdCommandTest {
    private static final String HASH7 = "\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==";

    @TempDir
    Path dir;

    @Test
    void batchCreate_writesOneMosquitto20LineThatVerifies() throws Exception {
        Path file = dir.resolve("passwd");

        PasswdRun run = passwd("-b", "-c", file.toString(), "alice", "secret");

        assertThat(run).isEqualTo(new PasswdRun(0, "", ""));
        assertThat(Files.readAllLines(file)).singleElement().asString().matches("alice:" + HASH7);
        assertThat(verify(file, "alice", "secret")).isTrue();
        assertThat(verify(file, "alice", "Secret")).isFalse();
    }

    @Test
    void newFile_isReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("passwd");

        passwd("-b", "-c", file.toString(), "alice", "secret");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void create_overwritesAnExistingFile_keepingItsPermissions() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "old:line\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(passwd("-b", "-c", file.toString(), "alice", "secret").status()).isZero();

        assertThat(Files.readAllLines(file)).singleElement().asString().startsWith("alice:$7$101$");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    void batchAdd_appendsTheUser_keepingOtherLinesAsTheyAre() throws Exception {
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        String aliceLine = Files.readAllLines(file).get(0);
        Files.writeString(file, "# plant floor\n" + aliceLine + "\n\n");

        assertThat(passwd("-b", file.toString(), "bob", "hunter2").status()).isZero();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(0, 3)).containsExactly("# plant floor", aliceLine, "");
        assertThat(lines.get(3)).matches("bob:" + HASH7);
        assertThat(verify(file, "alice", "secret")).isTrue();
        assertThat(verify(file, "bob", "hunter2")).isTrue();
    }

    @Test
    void batchAdd_existingUser_replacesOnlyTheirLine() throws Exception {
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        passwd("-b", file.toString(), "bob", "hunter2");
        String bobLine = Files.readAllLines(file).get(1);

        assertThat(passwd("-b", file.toString(), "alice", "new one").status()).isZero();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo(bobLine);
        assertThat(verify(file, "alice", "new one")).isTrue();
        assertThat(verify(file, "alice", "secret")).isFalse();
    }

    @Test
    void batchPassword_mayStartWithADash() throws Exception {
        Path file = dir.resolve("passwd");

        assertThat(passwd("-b", "-c", file.toString(), "alice", "-c").status()).isZero();

        assertThat(verify(file, "alice", "-c")).isTrue();
    }

    @Test
    void update_rewritesAtomically_leavingNoTemporaryFile() throws Exception {
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        Object before = Files.readAttributes(file, "unix:ino").get("ino");

        passwd("-b", file.toString(), "bob", "hunter2");

        assertThat(Files.readAttributes(file, "unix:ino").get("ino")).isNotEqualTo(before);
        assertThat(dir.resolve("passwd.tmp")).doesNotExist();
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void update_throughASymbolicLink_replacesTheTarget_andKeepsTheLink() throws Exception {
        Path target = dir.resolve("real-passwd");
        Path link = dir.resolve("passwd");
        passwd("-b", "-c", target.toString(), "alice", "secret");
        Files.createSymbolicLink(link, target);

        assertThat(passwd("-b", link.toString(), "bob", "hunter2").status()).isZero();

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(verify(target, "bob", "hunter2")).isTrue();
    }

    @Test
    void addWithoutCreate_toAMissingFile_failsAsMosquittoPasswd() {
        Path file = dir.resolve("missing");

        PasswdRun run = passwd("-b", file.toString(), "alice", "x");

        assertThat(run).isEqualTo(new PasswdRun(1, "",
                "Error: Unable to open password file " + file + ". No such file or directory.\n"));
        assertThat(file).doesNotExist();
    }

    @Test
    void delete_removesTheUser() throws Exception {
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        passwd("-b", file.toString(), "bob", "hunter2");

        assertThat(passwd("-D", file.toString(), "alice")).isEqualTo(new PasswdRun(0, "", ""));

        assertThat(PasswordFile.read(file).usernames()).containsExactly("bob");
    }

    @Test
    void deleteUnknownUser_warns_exits1_andLeavesTheFile() throws Exception {
        Path file = dir.resolve("passwd");
        passwd("-b", "-c", file.toString(), "alice", "secret");
        String before = Files.readString(file);

        PasswdRun run = passwd("-D", file.toString(), "nobody");

        assertThat(run).isEqualTo(new PasswdRun(1, "", "Warning: User nobody not found in password file.\n"));
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void deleteFromAMissingFile_failsAsMosquittoPasswd() {
        Path file = dir.resolve("missing");

        assertThat(passwd("-D", file.toString(), "alice")).isEqualTo(new PasswdRun(1, "",
                "Error: Unable to open password file " + file + ". No such file or directory.\n"));
    }

    @Test
    void upgrade_hashesEveryPlainTextPassword_inPlace() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "# staff\nalice:secret\n bob : hunter2 \n");

        assertThat(passwd("-U", file.toString())).isEqualTo(new PasswdRun(0, "", ""));

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("# staff");
        assertThat(lines.get(1)).matches("alice:" + HASH7);
        assertThat(lines.get(2)).matches("bob:" + HASH7);
        assertThat(verify(file, "alice", "secret")).isTrue();
        assertThat(verify(file, "bob", "hunter2")).isTrue();
    }

    @Test
    void upgradeTwice_doesNotHashTheHashes() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:secret\n");
        passwd("-U", file.toString());
        String once = Files.readString(file);

        passwd("-U", file.toString());

        assertThat(Files.readString(file)).isEqualTo(once);
        assertThat(verify(file, "alice", "secret")).isTrue();
    }

    @Test
    void corruptLine_stopsTheEdit_withItsLineNumber() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:secret\nbob\n");

        PasswdRun run = passwd("-U", file.toString());

        assertThat(run).isEqualTo(new PasswdRun(1, "", "Error: Corrupt password file at line 2.\n"));
        assertThat(Files.readString(file)).isEqualTo("alice:secret\nbob\n");
    }

    @Test
    void interactive_asksTwice_andPrintsPromptsAsMosquittoPasswd() throws Exception {
        Path file = dir.resolve("passwd");

        PasswdRun run = typing("s3cret\ns3cret\n", "-c", file.toString(), "alice");

        assertThat(run).isEqualTo(new PasswdRun(0, "Password: \nReenter password: \n", ""));
        assertThat(verify(file, "alice", "s3cret")).isTrue();
    }

    @Test
    void interactive_mismatch_exits2_andCreatesNoFile() {
        Path file = dir.resolve("passwd");

        PasswdRun run = typing("s3cret\nsecret\n", "-c", file.toString(), "alice");

        assertThat(run).isEqualTo(new PasswdRun(2, "Password: \nReenter password: \n",
                "Error: Passwords do not match.\n"));
        assertThat(file).doesNotExist();
    }

    @Test
    void interactive_emptyPassword_exits1() {
        Path file = dir.resolve("passwd");

        assertThat(typing("\n", "-c", file.toString(), "alice"))
                .isEqualTo(new PasswdRun(1, "Password: ", "Error: Empty password.\n"));
        assertThat(typing("", "-c", file.toString(), "alice"))
                .isEqualTo(new PasswdRun(1, "Password: ", "Error: Empty password.\n"));
        assertThat(file).doesNotExist();
    }

    @Test
    void interactiveUpdate_opensTheFileBeforeAsking() {
        Path file = dir.resolve("missing");

        PasswdRun run = typing("s3cret\ns3cret\n", file.toString(), "alice");

        assertThat(run).isEqualTo(new PasswdRun(1, "",
                "Error: Unable to open password file " + file + ". No such file or directory.\n"));
    }

    @Test
    void hashOption_choosesTheFormat() throws Exception {
        Path file = dir.resolve("passwd");

        passwd("-H", "sha512", "-b", "-c", file.toString(), "old", "one");
        passwd("-H", "argon2id", "-b", file.toString(), "new", "two");
        passwd("-I", "1000", "-b", file.toString(), "slow", "three");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).startsWith("old:$6$");
        assertThat(lines.get(1)).startsWith("new:$argon2id$v=19$m=47104,t=1,p=1$");
        assertThat(lines.get(2)).startsWith("slow:$7$1000$");
        assertThat(verify(file, "old", "one")).isTrue();
        assertThat(verify(file, "new", "two")).isTrue();
        assertThat(verify(file, "slow", "three")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-c -D f u           | Error: -c and -D cannot be used together.",
        "-c -U f             | Error: -c and -U cannot be used together.",
        "-D -U f             | Error: -D and -U cannot be used together.",
        "-b -D f u           | Error: -b and -D cannot be used together.",
        "-c f                | Error: -c argument given but password file or username missing.",
        "-c -b f u           | Error: -c argument given but password file, username, or password missing.",
        "-D f                | Error: -D argument given but password file or username missing.",
        "-U                  | Error: -U argument given but password file missing.",
        "-U f extra          | Error: -U argument given but password file missing.",
        "-H                  | Error: -H argument given but not enough other arguments.",
        "-H md5 -b f u p     | Error: Unknown hash type 'md5'",
        "-I                  | Error: -I argument given but not enough other arguments.",
        "-I 0 -b f u p       | Error: Number of iterations must be > 0.",
        "-I x -b f u p       | Error: Number of iterations must be > 0.",
        "-b f al:ice p       | Error: Username must not contain the ':' character.",
    })
    void badArguments_areRefusedWithMosquittoPasswdsMessage(String args, String message) {
        PasswdRun run = passwd(args.split(" "));

        assertThat(run).isEqualTo(new PasswdRun(1, "", message + "\n"));
        assertThat(dir.resolve("f")).doesNotExist();
    }

    @Test
    void controlCharacterInUsername_isRefused() {
        assertThat(passwd("-b", "-c", dir.resolve("f").toString(), "a\tb", "p"))
                .isEqualTo(new PasswdRun(1, "", "Error: Username must not contain control characters.\n"));
    }

    @Test
    void emptyUsernameOrBatchPassword_isRefused_ratherThanWrittenUnreadable() {
        String file = dir.resolve("f").toString();

        assertThat(passwd("-b", "-c", file, "", "p"))
                .isEqualTo(new PasswdRun(1, "", "Error: Username must not be empty.\n"));
        assertThat(passwd("-b", "-c", file, "alice", ""))
                .isEqualTo(new PasswdRun(1, "", "Error: Empty password.\n"));
        assertThat(dir.resolve("f")).doesNotExist();
    }

    @ParameterizedTest(name = "starling passwd {0}")
    @CsvSource({"''", "f", "-b f u", "-b f u p extra", "-x f u"})
    void wrongNumberOfArguments_printsUsage_andExits1(String args) {
        PasswdRun run = passwd(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(PasswdCommand.USAGE).startsWith("starling passwd is a tool");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void help_printsUsage_andExits0() {
        assertThat(passwd("--help")).isEqualTo(new PasswdRun(0, PasswdCommand.USAGE, ""));
    }

    @Test
    void throughPicocli_everyArgumentReachesTheCommandInOrder() throws Exception {
        Path file = dir.resolve("passwd");
        PrintStream silent = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PasswdCommand command = new PasswdCommand(silent, silent, prompt -> null);

        int status = new CommandLine(command).execute("-H", "sha512", "-b", "-c", file.toString(), "alice", "-pw");

        assertThat(status).isZero();
        assertThat(Files.readString(file)).startsWith("alice:$6$");
        assertThat(verify(file, "alice", "-pw")).isTrue();
    }

    private static boolean verify(Path file, String user, String password) throws Exception {
        return PasswordFile.read(file).verify(user, password.getBytes(StandardCharsets.UTF_8));
    }
}
