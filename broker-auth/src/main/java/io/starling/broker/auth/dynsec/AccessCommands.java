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

    /**
     * Entries without a string type, or of an unknown type, or without an answer are skipped, as by the
     * plugin. The answer is the plugin's boolean {@code allow}, or {@code "access": "allow"|"deny"}, which
     * is what mosquitto_ctrl 2.0.11 sends: mosquitto 2.0.11's plugin ignores it, so that command has no
     * effect there (fixed in 2.0.12); here it works.
     */
    static ObjectNode set(CommandContext ctx, JsonNode command) throws CommandError {
        JsonNode acls = Json.get(command, "acls");
        if (acls == null || !acls.isArray()) {
            throw new CommandError("Missing/invalid actions array");
        }
        for (JsonNode a : acls) {
            String type = Json.string(a, "acltype");
            JsonNode allow = Json.get(a, "allow");
            String access = Json.string(a, "access");
            if (type == null) {
                continue;
            }
            if (allow != null && allow.isBoolean()) {
                ctx.data.defaults.set(type, allow.booleanValue());
            } else if ("allow".equals(access) || "deny".equals(access)) {
                ctx.data.defaults.set(type, access.equals("allow"));
            }
        }
        ctx.changed = true;
        return null;
    }
}
