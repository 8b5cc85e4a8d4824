package io.starling.broker.core.auth.file;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A mosquitto {@code password_file}, read into memory: one {@code user:hash} line per user, with
 * {@code #} comment lines and blank lines skipped (see {@link PasswordHash} for the hash formats).
 *
 * <p>Stricter than mosquitto 2.0, which logs a warning and skips a line it can't use: here a
 * plain-text password, a line without a hash, an empty user name, an unknown hash type and a
 * duplicate user are errors that name the file and line, so that no user is silently locked out or
 * let in with an unhashed password. (Mosquitto 2.1 also refuses most of these.)
 *
 * <p>Immutable and safe to share between threads. {@link #verify} runs the password hash even for
 * an unknown user, against a decoy with the cost of the file's most common entry, so that the time
 * a refusal takes does not tell which users exist.
 */
public final class PasswordFile {
    private static final int MAX_USERNAME_LENGTH = 65535;

    private final Map<String, PasswordHash> users;
    private final PasswordHash decoy;
    private final BiPredicate<PasswordHash, byte[]> hashCheck;

    private PasswordFile(Map<String, PasswordHash> users, PasswordHash decoy,
            BiPredicate<PasswordHash, byte[]> hashCheck) {
        this.users = users;
        this.decoy = decoy;
        this.hashCheck = hashCheck;
    }

    /** Reads a password file as UTF-8. */
    public static PasswordFile read(Path path) throws PasswordFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PasswordFileException("Error: Unable to open password file " + path + ": no such file.");
        } catch (CharacterCodingException e) {
            throw new PasswordFileException("Error: Unable to read password file " + path + ": not UTF-8 text.");
        } catch (IOException e) {
            throw new PasswordFileException("Error: Unable to open password file " + path + ": " + e.getMessage());
        }
        return parse(path.toString(), lines);
    }

    /** Parses the lines of a password file; {@code fileName} is only used in error messages. */
    public static PasswordFile parse(String fileName, List<String> lines) throws PasswordFileException {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, Integer> firstSeen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw PasswordFileException.at(fileName, number, "expected 'username:password hash'");
            }
            String username = line.substring(0, colon).strip();
            if (username.isEmpty()) {
                throw PasswordFileException.at(fileName, number, "empty username");
            }
            if (username.length() > MAX_USERNAME_LENGTH) {
                throw PasswordFileException.at(fileName, number, "username longer than 65535 characters");
            }
            Integer previous = firstSeen.putIfAbsent(username, number);
            if (previous != null) {
                throw PasswordFileException.at(fileName, number,
                        "duplicate user '" + username + "' (first at line " + previous + ")");
            }
            String stored = line.substring(colon + 1).strip();
            try {
                users.put(username, PasswordHash.decode(stored));
            } catch (IllegalArgumentException e) {
                throw PasswordFileException.at(fileName, number, "user '" + username + "': " + e.getMessage());
            }
        }
        return new PasswordFile(Collections.unmodifiableMap(users), decoyFor(users.values()), PasswordHash::matches);
    }

    /**
     * Whether {@code password} is the password of {@code username}. An unknown user costs one hash
     * of the decoy, as a known one costs one hash of its entry.
     */
    public boolean verify(String username, byte[] password) {
        Objects.requireNonNull(password, "password");
        PasswordHash entry = username == null ? null : users.get(username);
        boolean known = entry != null;
        boolean matches = hashCheck.test(known ? entry : decoy, password);
        return known & matches;
    }

    public boolean contains(String username) {
        return users.containsKey(username);
    }

    /** The users, in file order. */
    /** Whether any entry uses a memory-hard hash (argon2id), which is slow to check. */
    public boolean hasSlowHashes() {
        for (PasswordHash h : users.values()) {
            if (h instanceof PasswordHash.Argon2id) {
                return true;
            }
        }
        return false;
    }

    public Set<String> usernames() {
        return users.keySet();
    }

    public int size() {
        return users.size();
    }

    /** The stand-in checked for unknown users. */
    PasswordHash decoy() {
        return decoy;
    }

    /** The same file with the hash check replaced, so tests can count the hashes {@link #verify} runs. */
    PasswordFile withHashCheck(BiPredicate<PasswordHash, byte[]> check) {
        return new PasswordFile(users, decoy, check);
    }

    /** A decoy with the cost most entries have; an empty file gets mosquitto 2.0's default. */
    private static PasswordHash decoyFor(Iterable<PasswordHash> entries) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, PasswordHash> sample = new HashMap<>();
        for (PasswordHash entry : entries) {
            counts.merge(entry.cost(), 1L, Long::sum);
            sample.putIfAbsent(entry.cost(), entry);
        }
        return counts.entrySet().stream()
                .max(Map.Entry.comparingByValue()) // the first of equals wins: LinkedHashMap order
                .map(Map.Entry::getKey)
                .map(sample::get)
                .map(PasswordHash::decoy)
                .orElseGet(() -> PasswordHash.pbkdf2(new byte[0], PasswordHash.DEFAULT_PBKDF2_ITERATIONS).decoy());
    }
}
