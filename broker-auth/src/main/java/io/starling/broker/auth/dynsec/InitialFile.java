package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.starling.broker.core.auth.file.PasswordHash;
import java.util.Base64;

/**
 * The file {@code mosquitto_ctrl dynsec init FILE ADMIN [PASSWORD]} writes, member for member: one client,
 * the administrator, with the role {@code admin}, which may use the dynamic security API and read
 * {@code $SYS} and every topic but publish nowhere else; the plugin's default access. (mosquitto_ctrl
 * spells the client's text name {@code textName}; the plugin reads keys in any case.)
 */
public final class InitialFile {
    private InitialFile() {
    }

    /** The file's text, as mosquitto_ctrl formats it. */
    public static String text(String admin, byte[] password) {
        PasswordHash.Pbkdf2Sha512 hash = PasswordHash.pbkdf2(password, ClientCommands.ITERATIONS);
        ObjectNode root = CommandContext.object();
        ObjectNode client = root.putArray("clients").addObject();
        client.put("username", admin);
        client.put("textName", "Dynsec admin user");
        client.put("password", Base64.getEncoder().encodeToString(hash.hash()));
        client.put("salt", Base64.getEncoder().encodeToString(hash.salt()));
        client.put("iterations", hash.iterations());
        client.putArray("roles").addObject().put("rolename", "admin");
        ObjectNode role = root.putArray("roles").addObject();
        role.put("rolename", "admin");
        ArrayNode acls = role.putArray("acls");
        acl(acls, "publishClientSend", "$CONTROL/dynamic-security/#");
        acl(acls, "publishClientReceive", "$CONTROL/dynamic-security/#");
        acl(acls, "subscribePattern", "$CONTROL/dynamic-security/#");
        acl(acls, "publishClientReceive", "$SYS/#");
        acl(acls, "subscribePattern", "$SYS/#");
        acl(acls, "publishClientReceive", "#");
        acl(acls, "subscribePattern", "#");
        acl(acls, "unsubscribePattern", "#");
        ObjectNode defaults = root.putObject("defaultACLAccess");
        defaults.put("publishClientSend", false);
        defaults.put("publishClientReceive", true);
        defaults.put("subscribe", false);
        defaults.put("unsubscribe", true);
        return CJsonWriter.formatted(root);
    }

    private static void acl(ArrayNode acls, String type, String topic) {
        acls.addObject().put("acltype", type).put("topic", topic).put("allow", true);
    }
}
