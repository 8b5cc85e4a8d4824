package io.starling.mqtt.tools;

import java.util.List;

/**
 * The command line of {@code starling passwd}, read by mosquitto_passwd's rules: options come first and
 * the first word that is not one ends them, so a batch password may start with {@code -}. Each refusal
 * carries mosquitto_passwd 2.0's message and exit status.
 *
 * @param password the batch-mode password (as given on the command line), else null
 * @param iterations PBKDF2 iterations for {@code $7$}
 */
record PasswdArguments(Mode mode, Hash hash, int iterations, String file, String username, String password) {

    enum Mode { ADD, CREATE, DELETE, UPGRADE }

    /** The {@code -H} choices: mosquitto 2.0's two, and mosquitto 2.1's {@code argon2id}. */
    enum Hash { SHA512_PBKDF2, SHA512, ARGON2ID }

    static final int DEFAULT_ITERATIONS = 101;
    private static final int MAX_LENGTH = 65535;

    /** Bad arguments: {@code usage} means print the usage text rather than a message. */
    static final class Refused extends Exception {
        final boolean usage;

        Refused(String message, boolean usage) {
            super(message, null, false, false);
            this.usage = usage;
        }
    }

    static PasswdArguments parse(List<String> args) throws Refused {
        if (args.isEmpty()) {
            throw usage();
        }
        Hash hash = Hash.SHA512_PBKDF2;
        int iterations = DEFAULT_ITERATIONS;
        boolean batch = false;
        boolean create = false;
        boolean delete = false;
        boolean upgrade = false;
        int idx = 0;
        for (; idx < args.size(); idx++) {
            String arg = args.get(idx);
            if (arg.equals("-H")) {
                if (idx + 1 == args.size()) {
                    throw error("Error: -H argument given but not enough other arguments.");
                }
                hash = hash(args.get(++idx));
            } else if (arg.equals("-I")) {
                if (idx + 1 == args.size()) {
                    throw error("Error: -I argument given but not enough other arguments.");
                }
                iterations = atoi(args.get(++idx));
                if (iterations < 1) {
                    throw error("Error: Number of iterations must be > 0.");
                }
            } else if (arg.equals("-b")) {
                batch = true;
            } else if (arg.equals("-c")) {
                create = true;
            } else if (arg.equals("-D")) {
                delete = true;
            } else if (arg.equals("-U")) {
                upgrade = true;
            } else {
                break;
            }
        }
        if (create && delete) {
            throw error("Error: -c and -D cannot be used together.");
        }
        if (create && upgrade) {
            throw error("Error: -c and -U cannot be used together.");
        }
        if (delete && upgrade) {
            throw error("Error: -D and -U cannot be used together.");
        }
        if (delete && batch) {
            throw error("Error: -b and -D cannot be used together.");
        }
        int left = args.size() - idx;
        PasswdArguments parsed;
        if (create) {
            if (batch ? left < 3 : left < 2) {
                throw error(batch ? "Error: -c argument given but password file, username, or password missing."
                        : "Error: -c argument given but password file or username missing.");
            }
            parsed = new PasswdArguments(Mode.CREATE, hash, iterations, args.get(idx), args.get(idx + 1),
                    batch ? args.get(idx + 2) : null);
        } else if (delete) {
            if (left < 2) {
                throw error("Error: -D argument given but password file or username missing.");
            }
            parsed = new PasswdArguments(Mode.DELETE, hash, iterations, args.get(idx), args.get(idx + 1), null);
        } else if (upgrade) {
            if (left != 1) {
                throw error("Error: -U argument given but password file missing.");
            }
            parsed = new PasswdArguments(Mode.UPGRADE, hash, iterations, args.get(idx), null, null);
        } else if (batch && left == 3) {
            parsed = new PasswdArguments(Mode.ADD, hash, iterations, args.get(idx), args.get(idx + 1),
                    args.get(idx + 2));
        } else if (!batch && left == 2) {
            parsed = new PasswdArguments(Mode.ADD, hash, iterations, args.get(idx), args.get(idx + 1), null);
        } else {
            throw usage();
        }
        parsed.checkUsername();
        if (parsed.password != null && parsed.password.length() > MAX_LENGTH) {
            throw error("Error: Password must be less than 65536 characters long.");
        }
        if (parsed.password != null && parsed.password.isEmpty()) {
            throw error("Error: Empty password."); // mosquitto_passwd -b takes "" and writes a hash of it
        }
        return parsed;
    }

    boolean batch() {
        return password != null;
    }

    private void checkUsername() throws Refused {
        if (username == null) {
            return;
        }
        if (username.isEmpty()) {
            throw error("Error: Username must not be empty."); // mosquitto_passwd writes an unreadable line
        }
        if (username.length() > MAX_LENGTH) {
            throw error("Error: Username must be less than 65536 characters long.");
        }
        if (username.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw error("Error: Username must not contain control characters.");
        }
        if (username.indexOf(':') >= 0) {
            throw error("Error: Username must not contain the ':' character.");
        }
    }

    private static Hash hash(String name) throws Refused {
        switch (name) {
            case "sha512-pbkdf2":
                return Hash.SHA512_PBKDF2;
            case "sha512":
                return Hash.SHA512;
            case "argon2id":
                return Hash.ARGON2ID;
            default:
                throw error("Error: Unknown hash type '" + name + "'");
        }
    }

    /** C's atoi(): optional sign and leading digits, else 0 (so "-I x" is "must be > 0", as in mosquitto_passwd). */
    private static int atoi(String text) {
        String s = text.stripLeading();
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long value = 0;
        for (; i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
            value = Math.min(Integer.MAX_VALUE, value * 10 + (s.charAt(i) - '0'));
        }
        return (int) (negative ? -value : value);
    }

    private static Refused error(String message) {
        return new Refused(message, false);
    }

    private static Refused usage() {
        return new Refused(null, true);
    }
}
