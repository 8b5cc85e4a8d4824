package io.starling.broker.core.auth.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * One user's stored password, in one of the three formats mosquitto reads (the part after
 * {@code user:} in a password file).
 *
 * <ul>
 *   <li>{@code $6$salt$hash}: mosquitto 1.x, SHA-512 over the password bytes followed by the salt
 *       bytes; salt 12 bytes, hash 64, both base64 with padding. {@code mosquitto_passwd -H sha512}.
 *   <li>{@code $7$iterations$salt$hash}: mosquitto 2.0, PBKDF2-HMAC-SHA512 with the password as the
 *       HMAC key; salt 12 bytes, 64-byte key, 101 iterations by default. What {@code mosquitto_passwd}
 *       2.0 writes, and so what {@link #hash7} writes.
 *   <li>{@code $argon2id$v=19$m=KiB,t=passes,p=lanes$salt$hash}: mosquitto 2.1's default, the PHC
 *       string of libargon2 (base64 without padding); mosquitto 2.1 writes t=1, m=47104, p=1 with a
 *       64-byte salt and a 64-byte hash.
 * </ul>
 *
 * <p>Mosquitto 2.1 also reads 64-byte salts in {@code $6$} and {@code $7$}, so both sizes are taken.
 * Verification compares digests with {@link MessageDigest#isEqual}, which takes the same time
 * wherever the first difference is.
 *
 * <p>A password is the bytes of the CONNECT packet (UTF-8 for passwords typed at the tool).
 */
public sealed interface PasswordHash {

    /** Mosquitto 2.0's default PBKDF2 iteration count. */
    int DEFAULT_PBKDF2_ITERATIONS = 101;
    /** Salt length mosquitto 2.0 writes for {@code $6$} and {@code $7$}. */
    int SALT_BYTES = 12;
    /** The SHA-512 digest length; the hash length of every format mosquitto writes. */
    int HASH_BYTES = 64;
    /** Highest Argon2 memory cost accepted, in KiB (1 GiB): one CONNECT must not exhaust the heap. */
    int MAX_ARGON2_MEMORY_KIB = 1 << 20;

    /** Whether {@code password} is the password this hash was made from. */
    boolean matches(byte[] password);

    /** The text stored in the password file after {@code user:}. */
    String encode();

    /** The algorithm and its cost parameters, without salt or digest: {@code $7$101}. */
    String cost();

    /**
     * A hash of the same algorithm and cost that no password is expected to match (random salt and
     * digest; {@link PasswordFile#verify} ignores its result anyway): checked in place of an unknown
     * user's entry, so that a refusal takes as long whether or not the user exists.
     */
    PasswordHash decoy();

    /**
     * Reads the stored form. Plain text, an unknown hash type and malformed fields are refused.
     *
     * @throws IllegalArgumentException with a message saying what is wrong, without the hash itself
     */
    static PasswordHash decode(String encoded) {
        return PasswordHashCodec.decode(encoded);
    }

    /** Mosquitto 2.0's format, as {@code mosquitto_passwd} writes it: {@code $7$101$salt$hash}. */
    static String hash7(String password) {
        return pbkdf2(password.getBytes(StandardCharsets.UTF_8), DEFAULT_PBKDF2_ITERATIONS).encode();
    }

    /** The {@code $7$} format with a chosen iteration count ({@code mosquitto_passwd -I}). */
    static Pbkdf2Sha512 pbkdf2(byte[] password, int iterations) {
        byte[] salt = PasswordHashCodec.randomBytes(SALT_BYTES);
        return new Pbkdf2Sha512(iterations, salt, Pbkdf2Sha512.derive(password, salt, iterations));
    }

    /** Mosquitto 1.x's format ({@code mosquitto_passwd -H sha512}), for brokers older than 2.0. */
    static Sha512 sha512(byte[] password) {
        byte[] salt = PasswordHashCodec.randomBytes(SALT_BYTES);
        return new Sha512(salt, Sha512.digest(password, salt));
    }

    /** Mosquitto 2.1's default: Argon2id, t=1, m=47104 KiB, p=1, 64-byte salt and hash. */
    static Argon2id argon2id(byte[] password) {
        byte[] salt = PasswordHashCodec.randomBytes(HASH_BYTES);
        int t = 1;
        int m = 47104;
        int p = 1;
        int version = Argon2Parameters.ARGON2_VERSION_13;
        return new Argon2id(version, m, t, p, salt, Argon2id.derive(password, version, m, t, p, salt, HASH_BYTES));
    }

    /** {@code $6$}: SHA-512(password || salt). */
    record Sha512(byte[] salt, byte[] hash) implements PasswordHash {
        public Sha512 {
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, digest(password, salt));
        }

        @Override
        public String encode() {
            return "$6$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(hash);
        }

        @Override
        public String cost() {
            return "$6$";
        }

        @Override
        public PasswordHash decoy() {
            return new Sha512(PasswordHashCodec.randomBytes(salt.length),
                    PasswordHashCodec.randomBytes(hash.length));
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        static byte[] digest(byte[] password, byte[] salt) {
            try {
                MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
                sha512.update(password);
                sha512.update(salt);
                return sha512.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-512", e);
            }
        }
    }

    /** {@code $7$}: PBKDF2-HMAC-SHA512(password, salt, iterations), a 64-byte key. */
    record Pbkdf2Sha512(int iterations, byte[] salt, byte[] hash) implements PasswordHash {
        public Pbkdf2Sha512 {
            if (iterations < 1) {
                throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
            }
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public boolean matches(byte[] password) {
            return MessageDigest.isEqual(hash, derive(password, salt, iterations));
        }

        @Override
        public String encode() {
            return "$7$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                    + Base64.getEncoder().encodeToString(hash);
        }

        @Override
        public String cost() {
            return "$7$" + iterations;
        }

        @Override
        public PasswordHash decoy() {
            return new Pbkdf2Sha512(iterations, PasswordHashCodec.randomBytes(salt.length),
                    PasswordHashCodec.randomBytes(hash.length));
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        static byte[] derive(byte[] password, byte[] salt, int iterations) {
            // Bouncy Castle rather than the JCE's PBKDF2WithHmacSHA512, whose char[] password can't
            // carry the arbitrary bytes an MQTT password may hold.
            PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA512Digest());
            generator.init(password, salt, iterations);
            return ((KeyParameter) generator.generateDerivedParameters(HASH_BYTES * 8)).getKey();
        }
    }

    /** {@code $argon2id$}: Argon2id with the parameters stored beside the salt. */
    record Argon2id(int version, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash)
            implements PasswordHash {
        public Argon2id {
            PasswordHashCodec.validateArgon2(version, memoryKib, iterations, parallelism, salt.length, hash.length);
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public boolean matches(byte[] password) {
            byte[] actual = derive(password, version, memoryKib, iterations, parallelism, salt, hash.length);
            return MessageDigest.isEqual(hash, actual);
        }

        @Override
        public String encode() {
            Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
            return "$argon2id$v=" + version + "$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                    + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        }

        @Override
        public String cost() {
            return "$argon2id$v=" + version + "$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism;
        }

        @Override
        public PasswordHash decoy() {
            return new Argon2id(version, memoryKib, iterations, parallelism,
                    PasswordHashCodec.randomBytes(salt.length), PasswordHashCodec.randomBytes(hash.length));
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        static byte[] derive(byte[] password, int version, int memoryKib, int iterations, int parallelism,
                byte[] salt, int length) {
            Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(version)
                    .withMemoryAsKB(memoryKib)
                    .withIterations(iterations)
                    .withParallelism(parallelism)
                    .withSalt(salt)
                    .build();
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[length];
            generator.generateBytes(password, out);
            return out;
        }
    }
}
