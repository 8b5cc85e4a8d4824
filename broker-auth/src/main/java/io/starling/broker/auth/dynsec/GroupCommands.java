package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** The group commands of {@code $CONTROL/dynamic-security/v1}, with the plugin's checks in its order. */
final class GroupCommands {
    private GroupCommands() {
    }

    static String groupname(JsonNode command) throws CommandError {
        return CommandContext.name(command, "groupname", "Invalid/missing groupname", "Group name not valid UTF-8");
    }

    static String rolename(JsonNode command) throws CommandError {
        return CommandContext.name(command, "rolename", "Invalid/missing rolename", "Role name not valid UTF-8");
    }

    static ObjectNode create(CommandContext ctx, JsonNode command) throws CommandError {
        String name = groupname(command);
        String textName = CommandContext.optionalText(command, "textname", "Invalid/missing textname");
        String textDescription = CommandContext.optionalText(command, "textdescription", "Invalid/missing textdescription");
        if (ctx.data.groups.containsKey(name)) {
            throw new CommandError("Group already exists");
        }
        List<RoleLink> roles = List.of();
        JsonNode rolesNode = Json.get(command, "roles");
        if (rolesNode != null) {
            // The plugin answers a malformed list here with "Internal error" (modifyGroup names it).
            roles = roleLinks(ctx, rolesNode, "Internal error");
        }
        DynsecGroup group = new DynsecGroup(name);
        group.textName = textName;
        group.textDescription = textDescription;
        roles.forEach(l -> group.addRole(l.role(), l.priority()));
        ctx.data.groups.put(name, group);
        ctx.changed = true;
        return null;
    }

    /** A {@code roles} array of createGroup, modifyGroup, createClient and modifyClient: every role must exist. */
    static List<RoleLink> roleLinks(CommandContext ctx, JsonNode roles, String malformed) throws CommandError {
        if (!roles.isArray()) {
            throw new CommandError(malformed);
        }
        List<RoleLink> links = new ArrayList<>();
        for (JsonNode r : roles) {
            String name = Json.string(r, "rolename");
            if (name == null) {
                throw new CommandError(malformed);
            }
            links.add(new RoleLink(ctx.role(name), Json.integer(r, "priority", Ranked.NONE)));
        }
        return links;
    }

    static ObjectNode get(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecGroup group = ctx.group(groupname(command));
        ObjectNode data = CommandContext.object();
        data.set("group", Views.group(ctx.data, group));
        return data;
    }

    static ObjectNode list(CommandContext ctx, JsonNode command) {
        return Listing.of(command, "groups", ctx.data.sortedGroups(), g -> g.name, g -> Views.group(ctx.data, g));
    }

    static ObjectNode modify(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecGroup group = ctx.group(groupname(command));
        JsonNode rolesNode = Json.get(command, "roles");
        List<RoleLink> roles = rolesNode == null ? null
                : roleLinks(ctx, rolesNode, "'roles' not an array or missing/invalid rolename");
        String textName = Json.string(command, "textname");
        if (textName != null) {
            group.textName = textName;
        }
        String textDescription = Json.string(command, "textdescription");
        if (textDescription != null) {
            group.textDescription = textDescription;
        }
        ctx.kickMembers(group);
        if (roles != null) {
            group.roles.clear();
            roles.forEach(l -> group.addRole(l.role(), l.priority()));
        }
        JsonNode clients = Json.get(command, "clients");
        if (clients != null && clients.isArray()) {
            replaceMembers(ctx, group, clients);
        }
        ctx.changed = true;
        ctx.kickMembers(group);
        return null;
    }

    /** modifyGroup's {@code clients}: the group's members become the listed clients that exist. */
    private static void replaceMembers(CommandContext ctx, DynsecGroup group, JsonNode clients) {
        for (DynsecClient c : ctx.data.members(group)) {
            c.removeGroup(group);
        }
        for (JsonNode m : clients) {
            String username = Json.string(m, "username");
            DynsecClient client = username == null ? null : ctx.data.clients.get(username);
            if (client != null && client.group(group) == null) {
                client.addGroup(group, Json.integer(m, "priority", Ranked.NONE));
            }
        }
    }

    static ObjectNode delete(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecGroup group = ctx.group(groupname(command));
        if (group == ctx.data.anonymousGroup) {
            // Mosquitto 2.0.11 crashes here (the anonymous group left dangling); 2.1 refuses with this text.
            throw new CommandError("Deleting the anonymous group is forbidden");
        }
        ctx.kickMembers(group);
        for (DynsecClient c : ctx.data.clients.values()) {
            c.removeGroup(group);
        }
        ctx.data.groups.remove(group.name);
        ctx.changed = true;
        return null;
    }

    /** A group and a role named by a command, checked in the plugin's order: both names, then the group, then the role. */
    private record GroupRole(DynsecGroup group, DynsecRole role) {
        static GroupRole of(CommandContext ctx, JsonNode command) throws CommandError {
            String groupName = groupname(command);
            String roleName = rolename(command);
            DynsecGroup group = ctx.group(groupName);
            return new GroupRole(group, ctx.role(roleName));
        }
    }

    /** A client and a group named by a command, checked in the plugin's order: both names, then the client, then the group. */
    private record Membership(DynsecClient client, DynsecGroup group) {
        static Membership of(CommandContext ctx, JsonNode command) throws CommandError {
            String username = ClientCommands.username(command);
            String groupName = groupname(command);
            DynsecClient client = ctx.client(username);
            return new Membership(client, ctx.group(groupName));
        }
    }

    static ObjectNode addRole(CommandContext ctx, JsonNode command) throws CommandError {
        GroupRole named = GroupRole.of(ctx, command);
        DynsecGroup group = named.group();
        DynsecRole role = named.role();
        if (group.hasRole(role)) {
            throw new CommandError("Group is already in this role");
        }
        group.addRole(role, Json.integer(command, "priority", Ranked.NONE));
        ctx.changed = true;
        ctx.kickMembers(group);
        return null;
    }

    static ObjectNode removeRole(CommandContext ctx, JsonNode command) throws CommandError {
        GroupRole named = GroupRole.of(ctx, command);
        DynsecGroup group = named.group();
        group.removeRole(named.role()); // not one of its roles: answered as done, as by the plugin
        ctx.changed = true;
        ctx.kickMembers(group);
        return null;
    }

    static ObjectNode addClient(CommandContext ctx, JsonNode command) throws CommandError {
        Membership named = Membership.of(ctx, command);
        DynsecClient client = named.client();
        DynsecGroup group = named.group();
        if (client.group(group) != null) {
            throw new CommandError("Client is already in this group");
        }
        client.addGroup(group, Json.integer(command, "priority", Ranked.NONE));
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode removeClient(CommandContext ctx, JsonNode command) throws CommandError {
        Membership named = Membership.of(ctx, command);
        DynsecClient client = named.client();
        client.removeGroup(named.group()); // not a member: answered as done, as by the plugin
        ctx.changed = true;
        ctx.kick(client);
        return null;
    }

    static ObjectNode setAnonymous(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecGroup group = ctx.group(groupname(command));
        ctx.kickAnonymous = true;
        ctx.data.anonymousGroup = group;
        ctx.changed = true;
        return null;
    }

    static ObjectNode getAnonymous(CommandContext ctx, JsonNode command) {
        ObjectNode data = CommandContext.object();
        data.putObject("group").put("groupname", ctx.data.anonymousGroup == null ? "" : ctx.data.anonymousGroup.name);
        return data;
    }
}
