package io.starling.broker.core.auth.file;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Parses the stored forms of {@link PasswordHash} and checks their fields, the way mosquitto 2.1's
 * {@code mosquitto_pw_decode()} and libargon2's {@code decode_string()} do, but strictly: empty fields
 * and trailing text are errors rather than skipped. Error messages never repeat the hash.
 */
final class PasswordHashCodec {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ARGON2_VERSION_10 = 0x10;
    private static final int ARGON2_VERSION_13 = 0x13;
    private static final int ARGON2_MIN_SALT_BYTES = 8;
    private static final int ARGON2_MIN_HASH_BYTES = 4;
    private static final int ARGON2_MAX_LANES = 0xFFFFFF;

    private PasswordHashCodec() {
    }

    static PasswordHash decode(String encoded) {
        if (encoded.isEmpty()) {
            throw new IllegalArgumentException("missing password hash");
        }
        if (encoded.charAt(0) != '$') {
            throw new IllegalArgumentException(
                    "password is not hashed (plain text?); hash the file with 'starling passwd -U'");
        }
        String[] f = encoded.split("\\$", -1); // f[0] is the empty text before the leading '$'
        switch (f[1]) {
            case "6":
                expectFields(f, 4, "$6$salt$hash");
                return new PasswordHash.Sha512(salt(f[2]), hash(f[3]));
            case "7":
                expectFields(f, 5, "$7$iterations$salt$hash");
                return new PasswordHash.Pbkdf2Sha512(number(f[2], "iterations"), salt(f[3]), hash(f[4]));
            case "argon2id":
                return argon2id(f);
            default:
                throw new IllegalArgumentException("unknown password hash type '$" + f[1] + "$'"
                        + " (expected $6$, $7$ or $argon2id$)");
        }
    }

    /** {@code $argon2id[$v=19]$m=M,t=T,p=P$salt$hash}; without {@code v=} libargon2 means version 16. */
    private static PasswordHash.Argon2id argon2id(String[] f) {
        String shape = "$argon2id$v=19$m=KiB,t=passes,p=lanes$salt$hash";
        if (f.length != 5 && f.length != 6) {
            throw new IllegalArgumentException("malformed password hash: expected " + shape);
        }
        int version = ARGON2_VERSION_10;
        int next = 2;
        if (f.length == 6) {
            if (!f[2].startsWith("v=")) {
                throw new IllegalArgumentException("malformed password hash: expected " + shape);
            }
            version = number(f[2].substring(2), "argon2id version");
            next = 3;
        }
        String[] costs = f[next].split(",", -1);
        if (costs.length != 3 || !costs[0].startsWith("m=") || !costs[1].startsWith("t=")
                || !costs[2].startsWith("p=")) {
            throw new IllegalArgumentException("malformed password hash: expected " + shape);
        }
        int memory = number(costs[0].substring(2), "argon2id memory cost m");
        int passes = number(costs[1].substring(2), "argon2id time cost t");
        int lanes = number(costs[2].substring(2), "argon2id parallelism p");
        byte[] salt = base64(f[next + 1], "salt");
        byte[] hash = base64(f[next + 2], "hash");
        return new PasswordHash.Argon2id(version, memory, passes, lanes, salt, hash);
    }

    /** libargon2's limits, plus {@link PasswordHash#MAX_ARGON2_MEMORY_KIB}. */
    static void validateArgon2(int version, int memoryKib, int iterations, int parallelism, int saltBytes,
            int hashBytes) {
        if (version != ARGON2_VERSION_10 && version != ARGON2_VERSION_13) {
            throw new IllegalArgumentException("unsupported argon2id version " + version + " (expected 19 or 16)");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("argon2id time cost t must be at least 1");
        }
        if (parallelism < 1 || parallelism > ARGON2_MAX_LANES) {
            throw new IllegalArgumentException("argon2id parallelism p must be between 1 and " + ARGON2_MAX_LANES);
        }
        if (memoryKib < 8L * parallelism) {
            throw new IllegalArgumentException("argon2id memory cost m must be at least 8 KiB per lane");
        }
        if (memoryKib > PasswordHash.MAX_ARGON2_MEMORY_KIB) {
            throw new IllegalArgumentException("argon2id memory cost m=" + memoryKib + " is above the limit of "
                    + PasswordHash.MAX_ARGON2_MEMORY_KIB + " KiB");
        }
        if (saltBytes < ARGON2_MIN_SALT_BYTES) {
            throw new IllegalArgumentException("argon2id salt must be at least " + ARGON2_MIN_SALT_BYTES + " bytes");
        }
        if (hashBytes < ARGON2_MIN_HASH_BYTES) {
            throw new IllegalArgumentException("argon2id hash must be at least " + ARGON2_MIN_HASH_BYTES + " bytes");
        }
    }

    static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void expectFields(String[] fields, int count, String shape) {
        if (fields.length != count) {
            throw new IllegalArgumentException("malformed password hash: expected " + shape);
        }
    }

    private static int number(String text, String what) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("malformed password hash: " + what + " must be a positive number");
        }
        int value = Integer.parseInt(text);
        if (value < 1) {
            throw new IllegalArgumentException("malformed password hash: " + what + " must be a positive number");
        }
        return value;
    }

    /** Mosquitto's salts are 12 bytes (2.0) or 64 (2.1). */
    private static byte[] salt(String text) {
        byte[] salt = base64(text, "salt");
        if (salt.length != PasswordHash.SALT_BYTES && salt.length != PasswordHash.HASH_BYTES) {
            throw new IllegalArgumentException("malformed password hash: salt is " + salt.length
                    + " bytes, expected " + PasswordHash.SALT_BYTES + " or " + PasswordHash.HASH_BYTES);
        }
        return salt;
    }

    private static byte[] hash(String text) {
        byte[] hash = base64(text, "hash");
        if (hash.length != PasswordHash.HASH_BYTES) {
            throw new IllegalArgumentException("malformed password hash: hash is " + hash.length
                    + " bytes, expected " + PasswordHash.HASH_BYTES);
        }
        return hash;
    }

    private static byte[] base64(String text, String what) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("malformed password hash: empty " + what);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed password hash: " + what + " is not valid base64");
        }
    }
}
