package io.starling.broker.core.auth.file;

import static io.starling.broker.core.auth.file.PasswordHashTest.ALICE_SECRET_7;
import static io.starling.broker.core.auth.file.PasswordHashTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator.Decision;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Refusals follow mosquitto 2.0.11 as observed on the wire: with a password file, a wrong password,
 * an unknown user, a missing password and (without allow_anonymous) no user name all get CONNACK 0x05
 * (3.1.1) / 0x87 (5.0), i.e. "not authorized", never 0x04 / 0x86.
 */
class PasswordFileAuthenticatorTest {
    private final PasswordFile file = parse("alice:" + ALICE_SECRET_7);
    private final PasswordFileAuthenticator closed = new PasswordFileAuthenticator(file, false);
    private final PasswordFileAuthenticator open = new PasswordFileAuthenticator(file, true);

    @Test
    void rightPassword_isAllowed() {
        assertThat(closed.authenticate("c1", "alice", bytes("secret"))).isEqualTo(Decision.ALLOW);
    }

    @Test
    void wrongPassword_isNotAuthorized_asMosquittoAnswers() {
        assertThat(closed.authenticate("c1", "alice", bytes("Secret"))).isEqualTo(Decision.NOT_AUTHORIZED);
    }

    @Test
    void unknownUser_isNotAuthorized_likeAWrongPassword() {
        assertThat(closed.authenticate("c1", "bob", bytes("secret"))).isEqualTo(Decision.NOT_AUTHORIZED);
    }

    @Test
    void zeroLengthPassword_countsAsNone_evenForAUserWhoseHashIsOfTheEmptyPassword() {
        PasswordHash empty = PasswordHash.pbkdf2(new byte[0], PasswordHash.DEFAULT_PBKDF2_ITERATIONS);
        PasswordFileAuthenticator withEmpty = new PasswordFileAuthenticator(parse("e:" + empty.encode()), true);

        assertThat(empty.matches(new byte[0])).isTrue();
        assertThat(withEmpty.authenticate("c1", "e", new byte[0])).isEqualTo(Decision.NOT_AUTHORIZED);
        assertThat(closed.authenticate("c1", "alice", new byte[0])).isEqualTo(Decision.NOT_AUTHORIZED);
    }

    @Test
    void userWithoutPassword_isNotAuthorized() {
        assertThat(closed.authenticate("c1", "alice", null)).isEqualTo(Decision.NOT_AUTHORIZED);
    }

    @Test
    void anonymousClient_isRefusedUnlessAnonymousIsAllowed() {
        assertThat(closed.authenticate("c1", null, null)).isEqualTo(Decision.NOT_AUTHORIZED);
        assertThat(open.authenticate("c1", null, null)).isEqualTo(Decision.ALLOW);
    }

    @Test
    void allowAnonymous_doesNotLetAWrongPasswordIn() {
        assertThat(open.authenticate("c1", "alice", bytes("wrong"))).isEqualTo(Decision.NOT_AUTHORIZED);
        assertThat(open.authenticate("c1", "bob", bytes("secret"))).isEqualTo(Decision.NOT_AUTHORIZED);
    }

    private static PasswordFile parse(String... lines) {
        try {
            return PasswordFile.parse("pw", List.of(lines));
        } catch (PasswordFileException e) {
            throw new AssertionError(e);
        }
    }
}
