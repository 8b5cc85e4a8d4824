package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * What one batch of commands works on and what it leaves behind: the data, whether it changed (the file
 * is saved and the rules rebuilt once, after the batch), and which user names must be disconnected.
 */
final class CommandContext {
    final DynsecData data;
    boolean changed;
    final Set<String> kickUsernames = new HashSet<>();
    /** Anonymous clients too (their group changed). */
    boolean kickAnonymous;

    CommandContext(DynsecData data) {
        this.data = data;
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A required name member: a string, valid UTF-8. */
    static String name(JsonNode command, String key, String missing, String invalidUtf8) throws CommandError {
        String value = Json.string(command, key);
        if (value == null) {
            throw new CommandError(missing);
        }
        if (!Json.validUtf8(value)) {
            throw new CommandError(invalidUtf8);
        }
        return value;
    }

    /** An optional text member: absent gives null, a non-string is {@code invalid}. */
    static String optionalText(JsonNode command, String key, String invalid) throws CommandError {
        JsonNode n = Json.get(command, key);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw new CommandError(invalid);
        }
        return n.textValue();
    }

    DynsecClient client(String username) throws CommandError {
        DynsecClient c = data.clients.get(username);
        if (c == null) {
            throw new CommandError("Client not found");
        }
        return c;
    }

    DynsecGroup group(String name) throws CommandError {
        DynsecGroup g = data.groups.get(name);
        if (g == null) {
            throw new CommandError("Group not found");
        }
        return g;
    }

    DynsecRole role(String name) throws CommandError {
        DynsecRole r = data.roles.get(name);
        if (r == null) {
            throw new CommandError("Role not found");
        }
        return r;
    }

    void kick(DynsecClient client) {
        kickUsernames.add(client.username);
    }

    void kickMembers(DynsecGroup group) {
        data.members(group).forEach(this::kick);
        if (group == data.anonymousGroup) {
            kickAnonymous = true;
        }
    }

    void kickUsers(DynsecRole role) {
        for (DynsecClient c : data.clients.values()) {
            if (c.uses(role)) {
                kick(c);
            }
        }
        if (data.anonymousGroup != null && data.anonymousGroup.hasRole(role)) {
            kickAnonymous = true;
        }
    }
}
