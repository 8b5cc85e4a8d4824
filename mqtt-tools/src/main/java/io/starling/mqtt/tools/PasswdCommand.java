package io.starling.mqtt.tools;

import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.mqtt.tools.PasswdArguments.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code starling passwd}: mosquitto_passwd, with its options, messages and exit statuses (1 for an
 * error, 2 when the two typed passwords differ). It writes mosquitto 2.0's {@code $7$} hashes.
 *
 * <p>The arguments are read by mosquitto_passwd's rules ({@link PasswdArguments}), not picocli's, so
 * that a batch password may begin with {@code -}. Differences, each to keep a file the broker can read:
 * an empty user name or batch password is refused; comment and blank lines are kept; {@code -U} leaves
 * lines that already hold a hash alone; files are replaced atomically ({@link PasswdFile}).
 */
@Command(name = "passwd", description = "Manage password files (mosquitto_passwd).")
public final class PasswdCommand implements Callable<Integer> {
    static final String USAGE = String.join("\n",
            "starling passwd is a tool for managing password files for Starling and mosquitto.",
            "",
            "Usage: starling passwd [-H sha512 | -H sha512-pbkdf2 | -H argon2id] [-c | -D] passwordfile username",
            "       starling passwd [-H sha512 | -H sha512-pbkdf2 | -H argon2id] [-c] -b passwordfile username"
                    + " password",
            "       starling passwd -U passwordfile",
            " -b : run in batch mode to allow passing passwords on the command line.",
            " -c : create a new password file. This will overwrite existing files.",
            " -D : delete the username rather than adding/updating its password.",
            " -H : specify the hashing algorithm. Defaults to sha512-pbkdf2, which mosquitto 2.0 reads.",
            "      sha512 is for mosquitto 1.6 and earlier, argon2id for mosquitto 2.1 and Starling.",
            " -I : the number of sha512-pbkdf2 iterations (default 101).",
            " -U : update a plain text password file to use hashed passwords.",
            "",
            "");

    @Unmatched
    List<String> args = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;
    private final PasswordPrompt prompt;

    public PasswdCommand() {
        this(System.in, System.out, System.err);
    }

    PasswdCommand(InputStream in, PrintStream out, PrintStream err) {
        this(out, err, PasswordPrompt.standard(in, out));
    }

    PasswdCommand(PrintStream out, PrintStream err, PasswordPrompt prompt) {
        this.out = out;
        this.err = err;
        this.prompt = prompt;
    }

    /** Runs {@code starling passwd args}; for tests. */
    int run(List<String> arguments) {
        args = new ArrayList<>(arguments);
        return call();
    }

    @Override
    public Integer call() {
        if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
            out.print(USAGE);
            return 0;
        }
        PasswdArguments request;
        try {
            request = PasswdArguments.parse(args);
        } catch (PasswdArguments.Refused e) {
            if (e.usage) {
                out.print(USAGE);
            } else {
                err.println(e.getMessage());
            }
            return 1;
        }
        try {
            return request.mode() == Mode.CREATE ? create(request) : edit(request);
        } catch (Failure e) {
            err.println(e.getMessage());
            return e.status;
        }
    }

    /** {@code -c}: the password first, then the file, as mosquitto_passwd (a mistyped password leaves no file). */
    private int create(PasswdArguments request) throws Failure {
        byte[] password = password(request);
        Path file = Path.of(request.file());
        try {
            PasswdFile.write(file, List.of(userLine(request, password)));
        } catch (IOException e) {
            throw new Failure("Error: Unable to open file " + file + " for writing. " + reason(e) + ".", 1);
        }
        return 0;
    }

    private int edit(PasswdArguments request) throws Failure {
        Path file = Path.of(request.file());
        List<String> lines = readLines(file);
        List<String> edited;
        try {
            switch (request.mode()) {
                case DELETE:
                    edited = PasswdLines.delete(lines, request.username());
                    if (edited == null) {
                        throw new Failure("Warning: User " + request.username() + " not found in password file.", 1);
                    }
                    break;
                case UPGRADE:
                    edited = PasswdLines.upgrade(lines, hasher(request));
                    break;
                default:
                    edited = PasswdLines.update(lines, request.username(), userLine(request, password(request)));
                    break;
            }
        } catch (PasswdLines.Corrupt e) {
            throw new Failure(e.getMessage(), 1);
        }
        try {
            PasswdFile.write(file, edited);
        } catch (IOException e) {
            throw new Failure("Error occurred updating password file " + file + ": " + reason(e) + ".", 1);
        }
        return 0;
    }

    private static List<String> readLines(Path file) throws Failure {
        try {
            if (!Files.isWritable(file) && Files.exists(file)) {
                throw new AccessDeniedException(file.toString()); // mosquitto_passwd opens it "r+"
            }
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new Failure("Error: Unable to open password file " + file + ". Not UTF-8 text.", 1);
        } catch (IOException e) {
            throw new Failure("Error: Unable to open password file " + file + ". " + reason(e) + ".", 1);
        }
    }

    /** The batch password, or the typed one: twice, without echo. */
    private byte[] password(PasswdArguments request) throws Failure {
        if (request.batch()) {
            return request.password().getBytes(StandardCharsets.UTF_8);
        }
        try {
            byte[] first = prompt.read("Password: ");
            if (first == null || first.length == 0) {
                throw new Failure("Error: Empty password.", 1);
            }
            byte[] second = prompt.read("Reenter password: ");
            if (second == null || second.length == 0) {
                throw new Failure("Error: Empty password.", 1);
            }
            boolean same = Arrays.equals(first, second);
            Arrays.fill(second, (byte) 0);
            if (!same) {
                throw new Failure("Error: Passwords do not match.", 2);
            }
            return first;
        } catch (IOException e) {
            throw new Failure("Error: Unable to read the password: " + e.getMessage(), 1);
        }
    }

    private static String userLine(PasswdArguments request, byte[] password) {
        return request.username() + ":" + hasher(request).apply(password);
    }

    private static Function<byte[], String> hasher(PasswdArguments request) {
        switch (request.hash()) {
            case SHA512:
                return password -> PasswordHash.sha512(password).encode();
            case ARGON2ID:
                return password -> PasswordHash.argon2id(password).encode();
            default:
                return password -> PasswordHash.pbkdf2(password, request.iterations()).encode();
        }
    }

    /** The strerror() text mosquitto_passwd prints, where Java's exception tells it. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return String.valueOf(e.getMessage());
    }

    /** A refusal: the message for standard error and the exit status. */
    private static final class Failure extends Exception {
        final int status;

        Failure(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
