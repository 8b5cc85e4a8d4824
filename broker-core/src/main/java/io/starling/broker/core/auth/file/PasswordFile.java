package io.starling.broker.core.auth.file;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mosquitto {@code password_file}, read into memory: one {@code user:hash} line per user (see
 * {@link PasswordHash} for the hash formats), read as mosquitto 2.0.11 reads it (measured side by
 * side, see {@code password-file.scenarios}):
 * <ul>
 *   <li>a line that starts with {@code #}, and a line without {@code :}, is skipped; spaces around the
 *       name and the hash are ignored;</li>
 *   <li>a line with an empty user name is skipped with a warning;</li>
 *   <li>a line whose hash cannot be used (plain text, an unknown type, a malformed {@code $6$} or
 *       {@code $7$}) drops that line with a warning naming the file, line and user: that user cannot
 *       log in with it, and the broker still starts;</li>
 *   <li>a user on several lines: the last usable line counts.</li>
 * </ul>
 * The warnings are kept ({@link #warnings()}) and logged by {@link #read}.
 *
 * <p>Immutable and safe to share between threads. {@link #verify} runs the password hash even for
 * an unknown user, against a decoy with the cost of the file's most common entry, so that the time
 * a refusal takes does not tell which users exist.
 */
public final class PasswordFile {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordFile.class);
    private static final int MAX_USERNAME_LENGTH = 65535;

    private final Map<String, PasswordHash> users;
    private final PasswordHash decoy;
    private final BiPredicate<PasswordHash, byte[]> hashCheck;
    private final List<String> warnings;

    private PasswordFile(Map<String, PasswordHash> users, PasswordHash decoy,
            BiPredicate<PasswordHash, byte[]> hashCheck, List<String> warnings) {
        this.users = users;
        this.decoy = decoy;
        this.hashCheck = hashCheck;
        this.warnings = warnings;
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
        PasswordFile file = parse(path.toString(), lines);
        file.warnings.forEach(LOG::warn);
        return file;
    }

    /**
     * Parses the lines of a password file; {@code fileName} names it in the warnings. Never fails on
     * a line (see the class comment); the exception is kept for the callers' sake.
     */
    public static PasswordFile parse(String fileName, List<String> lines) throws PasswordFileException {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon < 0) {
                continue;
            }
            String username = line.substring(0, colon).strip();
            String where = "Warning: " + fileName + ":" + (i + 1) + ": ";
            if (username.isEmpty() || username.length() > MAX_USERNAME_LENGTH) {
                warnings.add(where + "invalid line (user name empty or longer than 65535 characters), skipped.");
                continue;
            }
            try {
                PasswordHash hash = PasswordHash.decode(line.substring(colon + 1).strip());
                users.remove(username); // the last usable line of a user counts, and the file order with it
                users.put(username, hash);
            } catch (IllegalArgumentException e) {
                warnings.add(where + "user '" + username + "': " + e.getMessage() + "; line skipped.");
            }
        }
        return new PasswordFile(Collections.unmodifiableMap(users), decoyFor(users.values()), PasswordHash::matches,
                List.copyOf(warnings));
    }

    /** What {@link #parse} skipped, one warning per line, each naming the file and line. */
    public List<String> warnings() {
        return warnings;
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
        return new PasswordFile(users, decoy, check, warnings);
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
