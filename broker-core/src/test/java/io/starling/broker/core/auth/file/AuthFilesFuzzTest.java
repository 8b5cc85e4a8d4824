package io.starling.broker.core.auth.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.starling.broker.core.auth.ClientIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The password file and ACL file readers under arbitrary files (docs/fuzzing.md): each file is read
 * or refused with its own exception type ({@link PasswordFileException}, {@link AclFileException}),
 * whose message says where ({@code Error: <file>:<line>: ...}, or that the file could not be read as
 * text); anything else escaping is a finding. An ACL that was read then answers any client and topic
 * without throwing. Passwords are not checked: a file may legitimately ask for a gigabyte of Argon2
 * memory or a billion PBKDF2 rounds, which is the operator's choice, not a parser bug.
 */
class AuthFilesFuzzTest {
    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        dir = Files.createTempDirectory("auth-files-fuzz");
        file = dir.resolve("file");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "5s")
    void anyPasswordFile_readsOrFailsWithItsOwnError(byte[] contents) throws IOException {
        Files.write(file, contents);
        try {
            PasswordFile passwords = PasswordFile.read(file);
            assertThat(passwords.size()).isEqualTo(passwords.usernames().size());
        } catch (PasswordFileException e) {
            assertPositioned(e.getMessage(), "Unable to read password file " + file + ": not UTF-8 text.");
        }
    }

    @FuzzTest(maxDuration = "5s")
    void anyAclFile_readsOrFailsWithItsOwnError_andAnswersAnyClient(FuzzedDataProvider data) throws IOException {
        String clientId = data.consumeString(20);
        String username = data.consumeBoolean() ? data.consumeString(20) : null;
        String topic = data.consumeString(60);
        Files.write(file, data.consumeRemainingAsBytes());
        AclFile acl;
        try {
            acl = AclFile.read(file);
        } catch (AclFileException e) {
            assertPositioned(e.getMessage(), "Unable to read acl_file \"" + file + "\": not UTF-8 text.");
            return;
        }
        ClientIdentity client = new ClientIdentity(clientId, username);
        assertThat(acl.canRead(client, topic)).isNotNull();
        assertThat(acl.canPublish(client, topic)).isNotNull();
        assertThat(acl.canSubscribe(client, topic)).isNotNull();
    }

    /** {@code Error: <file>:<line>: ...}, or the one error about the whole file (not UTF-8). */
    private static void assertPositioned(String message, String wholeFileError) {
        if (message.equals("Error: " + wholeFileError)) {
            return;
        }
        assertThat(message).matches("(?s)Error: " + java.util.regex.Pattern.quote(file.toString()) + ":[1-9][0-9]*: .+");
    }
}
