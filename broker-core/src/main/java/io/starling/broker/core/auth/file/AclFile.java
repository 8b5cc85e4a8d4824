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
 * A Mosquitto ACL file as an {@link Authorizer} (mosquitto.conf(5), {@code acl_file}), deciding as
 * mosquitto 2.0.11 does (measured side by side, see {@code acl-file.scenarios}).
 *
 * <p>Rules before the first {@code user} line are for anonymous clients only; {@code user NAME} starts
 * the rules of that user; {@code topic [read|write|readwrite|deny] FILTER} grants (readwrite when no
 * word is given) or denies; {@code pattern ...} lines apply to every client with {@code %c} and
 * {@code %u} replaced by its client id and user name.
 *
 * <p>Order of the decision: the client's own rules, its {@code deny} rules first, then its grants in
 * file order; the first rule that matches and denies, or matches and grants the access asked for,
 * decides. Only then the patterns, in the same order. Anything not granted is denied, so an empty
 * file denies everything. A {@code $} topic is matched only by rules that start with {@code $}.
 *
 * <p>When the file has any pattern, a client whose id or user name contains {@code +} or {@code #}
 * gets nothing from the patterns (its own {@code topic} rules still apply, as in mosquitto):
 * otherwise {@code users/%u/#} with user {@code #} would be {@code users/#/#}. A pattern that would put
 * a name containing {@code /} in place of {@code %c} or {@code %u} does not apply to that client: here
 * Starling is stricter than mosquitto 2.0.11, which substitutes it, so that a client that calls itself
 * {@code alice/inbox} gets {@code clients/alice/inbox/#} and writes into the tree of client
 * {@code alice} (measured; docs/compatibility.md).
 *
 * <p>SUBSCRIBE is never refused by this file ({@link Authorizer#canSubscribe} keeps its default):
 * mosquitto grants every filter and checks reads per message. Immutable and thread-safe.
 */
public final class AclFile implements Authorizer {
    /** One {@code topic} or {@code pattern} line. */
    private record Rule(AclAccess access, String filter) {
        boolean grants(boolean write) {
            return access == AclAccess.READWRITE || access == (write ? AclAccess.WRITE : AclAccess.READ);
        }

        boolean denies() {
            return access == AclAccess.DENY;
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
        byUser.forEach((u, r) -> users.put(u, denialsFirst(r)));
        return new AclFile(denialsFirst(anonymous), users, denialsFirst(patterns));
    }

    /** The rules with every {@code deny} moved to the front, each group in file order (mosquitto's list order). */
    private static List<Rule> denialsFirst(List<Rule> rules) {
        List<Rule> out = new ArrayList<>(rules.size());
        rules.stream().filter(Rule::denies).forEach(out::add);
        rules.stream().filter(r -> !r.denies()).forEach(out::add);
        return List.copyOf(out);
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

    private Access decide(ClientIdentity client, String topic, boolean write) {
        Access own = firstMatch(rulesOf(client), topic, write, null);
        if (own != null) {
            return own;
        }
        if (patterns.isEmpty()) {
            return Access.DENY;
        }
        if (hasWildcard(client.clientId()) || hasWildcard(client.username())) {
            return Access.DENY; // mosquitto: "ACL denying access to client with dangerous client id/username"
        }
        Access pattern = firstMatch(patterns, topic, write, client);
        return pattern != null ? pattern : Access.DENY;
    }

    /**
     * The decision of the first rule that matches {@code topic} and denies it or grants the access
     * asked for; null when none does. {@code client} fills in patterns; null for plain rules.
     */
    private static Access firstMatch(List<Rule> rules, String topic, boolean write, ClientIdentity client) {
        boolean dollar = topic.startsWith("$");
        for (Rule r : rules) {
            String filter = client == null ? r.filter() : substitute(r.filter(), client);
            if (filter == null || dollar && !filter.startsWith("$") || !TopicFilter.matches(filter, topic)) {
                continue;
            }
            if (r.denies()) {
                return Access.DENY;
            }
            if (r.grants(write)) {
                return Access.ALLOW;
            }
        }
        return null;
    }

    private static boolean hasWildcard(String name) {
        return name != null && (name.indexOf('+') >= 0 || name.indexOf('#') >= 0);
    }

    private List<Rule> rulesOf(ClientIdentity client) {
        return client.username() == null ? anonymous : byUser.getOrDefault(client.username(), List.of());
    }

    /**
     * The pattern with %c and %u filled in, in one pass (a value is never scanned for placeholders
     * itself); null when it does not apply to this client: a %u pattern and no user name, or a
     * value with a {@code /} that would reach into another client's levels.
     */
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
                if (value == null || value.indexOf('/') >= 0) {
                    return null;
                }
                out.append(value);
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
