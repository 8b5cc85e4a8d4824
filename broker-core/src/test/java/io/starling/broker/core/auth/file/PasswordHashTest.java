package io.starling.broker.core.auth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden hashes made by the real tools: {@code $6$} and {@code $7$} by mosquitto_passwd 2.0.11
 * ({@code -b}, {@code -H sha512}, {@code -I 5}); {@code $argon2id$} by the Argon2 reference
 * implementation's command-line tool (Debian's {@code argon2} 0~20171227,
 * {@code printf PASSWORD | argon2 SALT -id -t T -k M -p P -l LEN -e [-v 10]}).
 */
class PasswordHashTest {
    static final String ALICE_SECRET_7 = "$7$101$TONIB8wRz8d5co/L$U0M9FYAEBu04Fp51d28wqnQxZXO+7d3thxKH/gARinYl"
            + "CiQBGll0My7iehBULzaCUewm+YldB1AMNei2lUk8pA==";
    static final String BOB_HUNTER2_6 = "$6$3Aw2+jU1Fea9K6zh$3Yen85T5mnDBofM/PKPvK6csFN+fYeGqDBUiodPSU//T5YQI"
            + "nC9t5sEDA4h2xPWEo6zwSyoJtBKkcan3yGUS/Q==";
    static final String B_5_ITERATIONS_7 = "$7$5$+M5tRyECAM7A/m44$0/VcUK7hqUsvmLoC+e0OQhdWdIeUK9W2rWU/ARdza45Q"
            + "vN1AYCbumytMbaHhZFlxevVE/TGJrtQsgzFkMAahHA==";
    static final String CORRECT_HORSE_ARGON2ID_MOSQUITTO_COSTS = "$argon2id$v=19$m=47104,t=1,p=1"
            + "$c3Rhcmxpbmctc2FsdC0wMTIzNDU2Nzg5"
            + "$WgsJ4y43QmLzgdFmeElrTybVM5nk+5edtzVD/Zgsd37mfalgK5sy4uTQmpw64DPTLwcFoGkHGcJI6doRR3fJcw";
    static final String SECRET_ARGON2ID_TWO_LANES = "$argon2id$v=19$m=1024,t=2,p=2$c2FsdHNhbHRzYWx0"
            + "$Ji+djQ0+6vg1VyN9fPVLyqi5MsFxu9ue/cgilRpiZpw";
    static final String SECRET_ARGON2ID_VERSION_16 = "$argon2id$v=16$m=1024,t=2,p=2$c2FsdHNhbHRzYWx0"
            + "$ko+ldRdDtpEbmGvoezj41Nz/yH7/PPozPDMNv19zt3A";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "mosquitto_passwd 2.0 $7$ (PBKDF2-SHA512, 101 iterations) | " + ALICE_SECRET_7 + " | secret",
        "mosquitto_passwd -I 5 $7$ | " + B_5_ITERATIONS_7 + " | b",
        "mosquitto_passwd -H sha512 $6$ | " + BOB_HUNTER2_6 + " | hunter2",
        "argon2id with mosquitto 2.1's costs | " + CORRECT_HORSE_ARGON2ID_MOSQUITTO_COSTS + " | correct horse",
        "argon2id with two lanes | " + SECRET_ARGON2ID_TWO_LANES + " | secret",
        "argon2id version 16 | " + SECRET_ARGON2ID_VERSION_16 + " | secret",
    })
    void goldenHash_matchesItsPasswordAndNoOther(String format, String stored, String password) {
        PasswordHash hash = PasswordHash.decode(stored);

        assertThat(hash.matches(bytes(password))).isTrue();
        assertThat(hash.matches(bytes(password + "x"))).isFalse();
        assertThat(hash.matches(bytes(password.substring(1)))).isFalse();
        assertThat(hash.matches(new byte[0])).isFalse();
        assertThat(hash.encode()).isEqualTo(stored);
    }

    @Test
    void hash7_writesMosquitto20sFormat_thatVerifies() {
        String stored = PasswordHash.hash7("s3cret ü");

        assertThat(stored).matches("\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        PasswordHash hash = PasswordHash.decode(stored);
        assertThat(hash.matches(bytes("s3cret ü"))).isTrue();
        assertThat(hash.matches(bytes("s3cret u"))).isFalse();
    }

    @Test
    void hash7_saltsEveryHash() {
        assertThat(PasswordHash.hash7("same")).isNotEqualTo(PasswordHash.hash7("same"));
    }

    @Test
    void sha512_writesMosquitto1sFormat_thatVerifies() {
        String stored = PasswordHash.sha512(bytes("old")).encode();

        assertThat(stored).matches("\\$6\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        assertThat(PasswordHash.decode(stored).matches(bytes("old"))).isTrue();
        assertThat(PasswordHash.decode(stored).matches(bytes("new"))).isFalse();
    }

    @Test
    void argon2id_writesMosquitto21sDefault_thatVerifies() {
        String stored = PasswordHash.argon2id(bytes("modern")).encode();

        assertThat(stored).matches("\\$argon2id\\$v=19\\$m=47104,t=1,p=1\\$[A-Za-z0-9+/]{86}\\$[A-Za-z0-9+/]{86}");
        assertThat(PasswordHash.decode(stored).matches(bytes("modern"))).isTrue();
        assertThat(PasswordHash.decode(stored).matches(bytes("modern!"))).isFalse();
    }

    @Test
    void passwordBytes_areHashedAsTheyAre_notAsText() {
        byte[] notUtf8 = {(byte) 0xff, 0x00, (byte) 0xfe};
        PasswordHash hash = PasswordHash.pbkdf2(notUtf8, 101);

        assertThat(hash.matches(notUtf8)).isTrue();
        assertThat(hash.matches(new byte[] {(byte) 0xff})).isFalse();
    }

    @Test
    void decoy_hasTheSameCost_andMatchesNothing() {
        PasswordHash real = PasswordHash.decode(ALICE_SECRET_7);
        PasswordHash decoy = real.decoy();

        assertThat(decoy.cost()).isEqualTo("$7$101").isEqualTo(real.cost());
        assertThat(decoy.matches(bytes("secret"))).isFalse();
        assertThat(PasswordHash.decode(CORRECT_HORSE_ARGON2ID_MOSQUITTO_COSTS).decoy().cost())
                .isEqualTo("$argon2id$v=19$m=47104,t=1,p=1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "plain text         | secret                      | password is not hashed",
        "empty              | ''                          | missing password hash",
        "unknown type $5$   | $5$abc$def                  | unknown password hash type '$5$'",
        "argon2i            | $argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g | unknown password hash type '$argon2i$'",
        "$6$ without hash   | $6$TONIB8wRz8d5co/L         | expected $6$salt$hash",
        "$7$ without count  | $7$TONIB8wRz8d5co/L$abc     | expected $7$iterations$salt$hash",
        "$7$ zero count     | $7$0$TONIB8wRz8d5co/L$" + "U0M9FYAEBu04Fp51d28wqnQxZXO+7d3thxKH/gARinYlCiQBGll0My7iehBULzaCUewm+YldB1AMNei2lUk8pA=="
                + " | iterations must be a positive number",
        "salt not base64    | $6$not*base64$abc           | salt is not valid base64",
        "short salt         | $6$c2FsdA==$" + "U0M9FYAEBu04Fp51d28wqnQxZXO+7d3thxKH/gARinYlCiQBGll0My7iehBULzaCUewm+YldB1AMNei2lUk8pA=="
                + " | salt is 4 bytes, expected 12 or 64",
        "short hash         | $6$TONIB8wRz8d5co/L$c2FsdA== | hash is 4 bytes, expected 64",
        "argon2 no costs    | $argon2id$v=19$c2FsdHNhbHQ$aGFzaGhhc2g | expected $argon2id$v=19$m=KiB,t=passes,p=lanes$salt$hash",
        "argon2 version 20  | $argon2id$v=20$m=1024,t=2,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2g | unsupported argon2id version 20",
        "argon2 huge memory | $argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2g | above the limit of 1048576 KiB",
        "argon2 short salt  | $argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaGhhc2g | salt must be at least 8 bytes",
    })
    void malformedOrUnknownHash_isRefusedWithAReason(String what, String stored, String reason) {
        assertThatThrownBy(() -> PasswordHash.decode(stored))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
