package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.starling.broker.core.auth.file.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The client commands of {@code $CONTROL/dynamic-security/v1}, with the plugin's checks in its order. */
final class ClientCommands {
    /** The plugin's PBKDF2-SHA512 iterations for a password set through the API. */
    static final int ITERATIONS = 101;

    private ClientCommands() {
    }

    static String username(JsonNode command) throws CommandError {
        return CommandContext.name(command, "username", "Invalid/missing username", "Username not valid UTF-8");
    }

    static PasswordHash.Pbkdf2Sha512 hash(String password) {
        return PasswordHash.pbkdf2(password.getBytes(StandardCharsets.UTF_8), ITERATIONS);
    }

    static ObjectNode create(CommandContext ctx, JsonNode command) throws CommandError {
        String username = username(command);
        String password = CommandContext.optionalText(command, "password", "Invalid/missing password");
        String clientId = CommandContext.optionalText(command, "clientid", "Invalid/missing client id");
        if (clientId != null && !Json.validUtf8(clientId)) {
            throw new CommandError("Client ID not valid UTF-8");
        }
        String textName = CommandContext.optionalText(command, "textname", "Invalid/missing textname");
        String textDescription = CommandContext.optionalText(command, "textdescription", "Invalid/missing textdescription");
        if (ctx.data.clients.containsKey(username)) {
            throw new CommandError("Client already exists");
        }
        JsonNode rolesNode = Json.get(command, "roles");
        List<RoleLink> roles = rolesNode == null ? List.of()
                : GroupCommands.roleLinks(ctx, rolesNode, "'roles' not an array or missing/invalid rolename");
        List<GroupLink> groups = groupLinks(ctx, Json.get(command, "groups"), true);
        DynsecClient client = new DynsecClient(username);
        client.password = password == null ? null : hash(password);
        client.clientId = clientId == null || clientId.isEmpty() ? null : clientId;
        client.textName = textName;
        client.textDescription = textDescription;
        roles.forEach(l -> client.addRole(l.role(), l.priority()));
        groups.forEach(l -> client.addGroup(l.group(), l.priority()));
        ctx.data.clients.put(username, client);
        ctx.changed = true;
        return null;
    }

    /**
     * A {@code groups} array, as the plugin reads it: anything but an array, and entries without a group
     * name, are skipped; a group that does not exist fails createClient ({@code mustExist}) and is skipped
     * by modifyClient.
     */
    private static List<GroupLink> groupLinks(CommandContext ctx, JsonNode groups, boolean mustExist) throws CommandError {
        List<GroupLink> links = new ArrayList<>();
        if (groups == null || !groups.isArray()) {
            return links;
        }
        for (JsonNode g : groups) {
            String name = Json.string(g, "groupname");
            if (name == null) {
                continue;
            }
            DynsecGroup group = ctx.data.groups.get(name);
            if (group != null) {
                links.add(new GroupLink(group, Json.integer(g, "priority", Ranked.NONE)));
            } else if (mustExist) {
                throw new CommandError("Group not found");
            }
        }
        return links;
    }

    static ObjectNode get(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecClient client = ctx.client(username(command));
        ObjectNode data = CommandContext.object();
        data.set("client", Views.client(client));
        return data;
    }

    static ObjectNode list(CommandContext ctx, JsonNode command) {
        return Listing.of(command, "clients", ctx.data.sortedClients(), c -> c.username, Views::client);
    }

    static ObjectNode delete(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecClient client = ctx.client(username(command));
        ctx.data.clients.remove(client.username);
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode setPassword(CommandContext ctx, JsonNode command) throws CommandError {
        String username = username(command);
        String password = Json.string(command, "password");
        if (password == null) {
            throw new CommandError("Invalid/missing password");
        }
        if (password.isEmpty()) {
            throw new CommandError("Empty password is not allowed");
        }
        DynsecClient client = ctx.client(username);
        client.password = hash(password);
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode setClientId(CommandContext ctx, JsonNode command) throws CommandError {
        String username = username(command);
        String clientId = CommandContext.optionalText(command, "clientid", "Invalid/missing client ID");
        if (clientId != null && !Json.validUtf8(clientId)) {
            throw new CommandError("Client ID not valid UTF-8");
        }
        DynsecClient client = ctx.client(username);
        client.clientId = clientId == null || clientId.isEmpty() ? null : clientId;
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode modify(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecClient client = ctx.client(username(command));
        JsonNode rolesNode = Json.get(command, "roles");
        List<RoleLink> roles = rolesNode == null ? null
                : GroupCommands.roleLinks(ctx, rolesNode, "'roles' not an array or missing/invalid rolename");
        JsonNode groupsNode = Json.get(command, "groups");
        List<GroupLink> groups = groupsNode == null || !groupsNode.isArray() ? null : groupLinks(ctx, groupsNode, false);
        String clientId = Json.string(command, "clientid");
        if (clientId != null && Json.validUtf8(clientId)) {
            client.clientId = clientId.isEmpty() ? null : clientId;
        }
        String password = Json.string(command, "password");
        if (password != null && !password.isEmpty()) {
            client.password = hash(password);
        }
        String textName = Json.string(command, "textname");
        if (textName != null) {
            client.textName = textName;
        }
        String textDescription = Json.string(command, "textdescription");
        if (textDescription != null) {
            client.textDescription = textDescription;
        }
        if (roles != null) {
            client.roles.clear();
            roles.forEach(l -> client.addRole(l.role(), l.priority()));
        }
        if (groups != null) {
            client.groups.clear();
            groups.forEach(l -> client.addGroup(l.group(), l.priority()));
        }
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode enable(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecClient client = ctx.client(username(command));
        client.disabled = false;
        ctx.changed = true;
        return null;
    }

    static ObjectNode disable(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecClient client = ctx.client(username(command));
        client.disabled = true;
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    /** A client and a role named by a command, checked in the plugin's order: both names, then the client, then the role. */
    private record ClientRole(DynsecClient client, DynsecRole role) {
        static ClientRole of(CommandContext ctx, JsonNode command) throws CommandError {
            String username = username(command);
            String roleName = GroupCommands.rolename(command);
            DynsecClient client = ctx.client(username);
            return new ClientRole(client, ctx.role(roleName));
        }
    }

    static ObjectNode addRole(CommandContext ctx, JsonNode command) throws CommandError {
        ClientRole named = ClientRole.of(ctx, command);
        DynsecClient client = named.client();
        DynsecRole role = named.role();
        if (client.hasRole(role)) {
            throw new CommandError("Internal error"); // the plugin's answer to a role the client has
        }
        client.addRole(role, Json.integer(command, "priority", Ranked.NONE));
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode removeRole(CommandContext ctx, JsonNode command) throws CommandError {
        ClientRole named = ClientRole.of(ctx, command);
        DynsecClient client = named.client();
        client.removeRole(named.role()); // not one of its roles: answered as done, as by the plugin
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }
}
