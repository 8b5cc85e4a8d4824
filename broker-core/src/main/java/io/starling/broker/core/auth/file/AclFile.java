package io.starling.broker.core.auth.file;

import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.topic.TopicFilter;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Mosquitto ACL file as an {@link Authorizer} (mosquitto.conf(5), {@code acl_file}).
 *
 * <p>Rules before the first {@code user} line are for anonymous clients; {@code user NAME} starts the
 * rules of that user; {@code topic [read|write|readwrite|deny] FILTER} grants (readwrite when no word
 * is given) or denies; {@code pattern ...} lines apply to every client with {@code %c} and {@code %u}
 * replaced by its client id and user name. A matching {@code deny} wins; anything not granted is
 * denied, so an empty file denies everything.
 *
 * <p>A client id or user name containing {@code +}, {@code #} or {@code /} would turn a pattern into a
 * wider filter ({@code users/%u/#} with user {@code a/#}); such a pattern does not apply to that
 * client at all. Immutable and thread-safe.
 */
public final class AclFile implements Authorizer {
    /** One {@code topic} or {@code pattern} line. */
    private record Rule(AclAccess access, String filter) {
        boolean grants(boolean write) {
            return access == AclAccess.READWRITE || access == (write ? AclAccess.WRITE : AclAccess.READ);
        }
    }

    private final List<Rule> anonymous;
    private final Map<String, List<Rule>> byUser;
    private final List<Rule> patterns;

    private AclFile(List<Rule> anonymous, Map<String, List<Rule>> byUser, List<Rule> patterns) {
        this.anonymous = anonymous;
        this.byUser = byUser;
        this.patterns = patterns;
    }

    public static AclFile read(Path file) throws AclFileException {
        try {
            return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new AclFileException("Error: Unable to open acl_file \"" + file + "\": no such file.");
        } catch (CharacterCodingException e) {
            throw new AclFileException("Error: Unable to read acl_file \"" + file + "\": not UTF-8 text.");
        } catch (IOException e) {
            throw new AclFileException("Error: Unable to open acl_file \"" + file + "\": " + e.getMessage());
        }
    }

    public static AclFile parse(String fileName, List<String> lines) throws AclFileException {
        List<Rule> anonymous = new ArrayList<>();
        Map<String, List<Rule>> byUser = new HashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> current = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = indexOfSpace(line);
            String keyword = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1).strip();
            switch (keyword) {
                case "user":
                    if (rest.isEmpty()) {
                        throw AclFileException.at(fileName, i + 1, "Missing username in user line.");
                    }
                    current = byUser.computeIfAbsent(rest, u -> new ArrayList<>());
                    break;
                case "topic":
                    current.add(rule(fileName, i + 1, rest));
                    break;
                case "pattern":
                    patterns.add(rule(fileName, i + 1, rest));
                    break;
                default:
                    throw AclFileException.at(fileName, i + 1, "Invalid line in acl_file: '" + line + "'.");
            }
        }
        Map<String, List<Rule>> users = new HashMap<>();
        byUser.forEach((u, r) -> users.put(u, List.copyOf(r)));
        return new AclFile(List.copyOf(anonymous), users, List.copyOf(patterns));
    }

    private static Rule rule(String fileName, int line, String rest) throws AclFileException {
        int space = indexOfSpace(rest);
        AclAccess access = AclAccess.of(space < 0 ? rest : rest.substring(0, space));
        String filter = rest;
        if (access != null) {
            filter = space < 0 ? "" : rest.substring(space + 1).strip();
        } else {
            access = AclAccess.READWRITE;
        }
        if (filter.isEmpty()) {
            throw AclFileException.at(fileName, line, "Missing topic in acl_file.");
        }
        String invalid = TopicFilter.invalidReason(filter, 65535);
        if (invalid != null) {
            throw AclFileException.at(fileName, line, "Invalid topic '" + filter + "' in acl_file: " + invalid + ".");
        }
        return new Rule(access, filter);
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Access canPublish(ClientIdentity client, String topic) {
        return decide(client, topic, true);
    }

    @Override
    public Access canRead(ClientIdentity client, String topic) {
        return decide(client, topic, false);
    }

    /**
     * As mosquitto: a filter is granted even if nothing in it may be read (reads are checked per
     * message); only a filter that a {@code deny} rule covers is refused.
     */
    @Override
    public Access canSubscribe(ClientIdentity client, String filter) {
        for (Rule r : rulesOf(client)) {
            if (r.access() == AclAccess.DENY && TopicFilter.matches(r.filter(), filter)) {
                return Access.DENY;
            }
        }
        for (Rule p : patterns) {
            String f = substitute(p.filter(), client);
            if (f != null && p.access() == AclAccess.DENY && TopicFilter.matches(f, filter)) {
                return Access.DENY;
            }
        }
        return Access.ALLOW;
    }

    private Access decide(ClientIdentity client, String topic, boolean write) {
        boolean granted = false;
        for (Rule r : rulesOf(client)) {
            if (TopicFilter.matches(r.filter(), topic)) {
                if (r.access() == AclAccess.DENY) {
                    return Access.DENY;
                }
                granted |= r.grants(write);
            }
        }
        for (Rule p : patterns) {
            String f = substitute(p.filter(), client);
            if (f != null && TopicFilter.matches(f, topic)) {
                if (p.access() == AclAccess.DENY) {
                    return Access.DENY;
                }
                granted |= p.grants(write);
            }
        }
        return granted ? Access.ALLOW : Access.DENY;
    }

    private List<Rule> rulesOf(ClientIdentity client) {
        if (client.username() == null) {
            return anonymous;
        }
        return byUser.getOrDefault(client.username(), List.of());
    }

    /** The pattern with %c and %u filled in, or null when it cannot apply to this client safely. */
    private static String substitute(String pattern, ClientIdentity client) {
        if (pattern.indexOf('%') < 0) {
            return pattern;
        }
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            char next = i + 1 < pattern.length() ? pattern.charAt(i + 1) : 0;
            if (c == '%' && (next == 'c' || next == 'u')) {
                String value = next == 'c' ? client.clientId() : client.username();
                if (value == null || !isSafeLevel(value)) {
                    return null;
                }
                out.append(value); // one pass: a value is never scanned for placeholders itself
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A value may fill one topic level only: no wildcards, no level separator, not empty. */
    private static boolean isSafeLevel(String value) {
        return !value.isEmpty() && value.indexOf('+') < 0 && value.indexOf('#') < 0 && value.indexOf('/') < 0;
    }
}
