package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The role commands of {@code $CONTROL/dynamic-security/v1}, with the plugin's checks in its order. */
final class RoleCommands {
    private RoleCommands() {
    }

    private static String rolename(JsonNode command) throws CommandError {
        return CommandContext.name(command, "rolename", "Invalid/missing rolename", "Role name not valid UTF-8");
    }

    static ObjectNode create(CommandContext ctx, JsonNode command) throws CommandError {
        String name = rolename(command);
        String textName = CommandContext.optionalText(command, "textname", "Invalid/missing textname");
        String textDescription = CommandContext.optionalText(command, "textdescription", "Invalid/missing textdescription");
        if (ctx.data.roles.containsKey(name)) {
            throw new CommandError("Role already exists");
        }
        DynsecRole role = new DynsecRole(name);
        role.textName = textName;
        role.textDescription = textDescription;
        addAcls(role, Json.get(command, "acls"));
        ctx.data.roles.put(name, role);
        ctx.changed = true;
        return null;
    }

    /**
     * The ACLs of createRole/modifyRole and of the file: an entry without a known type or a topic is
     * skipped; neither the topic nor a repeat is checked (as by the plugin, unlike addRoleACL).
     */
    static void addAcls(DynsecRole role, JsonNode acls) {
        if (acls == null || !acls.isArray()) {
            return;
        }
        for (JsonNode a : acls) {
            String typeName = Json.string(a, "acltype");
            AclType type = typeName == null ? null : AclType.named(typeName);
            String topic = Json.string(a, "topic");
            if (type == null || topic == null) {
                continue;
            }
            role.append(new Acl(type, topic, Json.integer(a, "priority", 0), Json.bool(a, "allow", false)));
        }
    }

    static ObjectNode get(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecRole role = ctx.role(rolename(command));
        ObjectNode data = CommandContext.object();
        data.set("role", Views.role(role));
        return data;
    }

    static ObjectNode list(CommandContext ctx, JsonNode command) {
        return Listing.of(command, "roles", ctx.data.sortedRoles(), r -> r.name, Views::role);
    }

    static ObjectNode modify(CommandContext ctx, JsonNode command) throws CommandError {
        String name = rolename(command);
        DynsecRole role = ctx.data.roles.get(name);
        if (role == null) {
            throw new CommandError("Role does not exist");
        }
        String textName = Json.string(command, "textname");
        if (textName != null) {
            role.textName = textName;
        }
        String textDescription = Json.string(command, "textdescription");
        if (textDescription != null) {
            role.textDescription = textDescription;
        }
        JsonNode acls = Json.get(command, "acls");
        if (acls != null && acls.isArray()) {
            role.clearAcls();
            addAcls(role, acls);
        }
        ctx.changed = true; // its users keep their connections: the next check sees the change
        return null;
    }

    static ObjectNode delete(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecRole role = ctx.role(rolename(command));
        ctx.kickUsers(role);
        // Mosquitto 2.0.11 leaves the deleted role in its clients' and groups' lists (a dangling pointer:
        // garbage names, then a crash); here it leaves them.
        for (DynsecClient c : ctx.data.clients.values()) {
            c.removeRole(role);
        }
        for (DynsecGroup g : ctx.data.groups.values()) {
            g.removeRole(role);
        }
        ctx.data.roles.remove(role.name);
        ctx.changed = true;
        return null;
    }

    static ObjectNode addAcl(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecRole role = ctx.role(rolename(command));
        AclType type = aclType(command);
        String topic = aclTopic(command);
        if (!role.add(new Acl(type, topic, Json.integer(command, "priority", 0), Json.bool(command, "allow", false)))) {
            throw new CommandError("ACL with this topic already exists");
        }
        ctx.changed = true; // its users keep their connections: the next check sees the change
        return null;
    }

    static ObjectNode removeAcl(CommandContext ctx, JsonNode command) throws CommandError {
        DynsecRole role = ctx.role(rolename(command));
        AclType type = aclType(command);
        String topic = aclTopic(command);
        if (!role.remove(type, topic)) {
            throw new CommandError("ACL not found");
        }
        ctx.changed = true; // its users keep their connections: the next check sees the change
        return null;
    }

    private static AclType aclType(JsonNode command) throws CommandError {
        String name = Json.string(command, "acltype");
        if (name == null) {
            throw new CommandError("Invalid/missing acltype");
        }
        AclType type = AclType.named(name);
        if (type == null) {
            throw new CommandError("Unknown acltype");
        }
        return type;
    }

    private static String aclTopic(JsonNode command) throws CommandError {
        String topic = Json.string(command, "topic");
        if (topic == null) {
            throw new CommandError("Invalid/missing topic");
        }
        if (!Json.validUtf8(topic)) {
            throw new CommandError("Topic not valid UTF-8");
        }
        if (!AclTopics.valid(topic)) {
            throw new CommandError("Invalid ACL topic");
        }
        return topic;
    }
}
