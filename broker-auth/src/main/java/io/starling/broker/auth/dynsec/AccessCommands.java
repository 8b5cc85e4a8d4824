package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** getDefaultACLAccess and setDefaultACLAccess. */
final class AccessCommands {
    private AccessCommands() {
    }

    static ObjectNode get(CommandContext ctx, JsonNode command) {
        ObjectNode data = CommandContext.object();
        ArrayNode acls = data.putArray("acls");
        for (int i = 0; i < DefaultAccess.NAMES.length; i++) {
            acls.addObject().put("acltype", DefaultAccess.NAMES[i]).put("allow", ctx.data.defaults.get(i));
        }
        return data;
    }

    /** Entries without a string type or a boolean {@code allow}, or of an unknown type, are skipped, as by the plugin. */
    static ObjectNode set(CommandContext ctx, JsonNode command) throws CommandError {
        JsonNode acls = Json.get(command, "acls");
        if (acls == null || !acls.isArray()) {
            throw new CommandError("Missing/invalid actions array");
        }
        for (JsonNode a : acls) {
            String type = Json.string(a, "acltype");
            JsonNode allow = Json.get(a, "allow");
            if (type != null && allow != null && allow.isBoolean()) {
                ctx.data.defaults.set(type, allow.booleanValue());
            }
        }
        ctx.changed = true;
        return null;
    }
}
