package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * The JSON shapes of clients, groups and roles, member for member in the plugin's order: as the API's
 * get and list commands answer them, and as {@code dynamic-security.json} holds them.
 */
final class Views {
    private Views() {
    }

    static ObjectNode role(DynsecRole role) {
        ObjectNode out = CommandContext.object();
        out.put("rolename", role.name);
        texts(out, role.textName, role.textDescription);
        ArrayNode acls = out.putArray("acls");
        for (Acl a : role.allAcls()) {
            ObjectNode acl = acls.addObject();
            acl.put("acltype", a.type().jsonName());
            acl.put("topic", a.topic());
            acl.put("priority", a.priority());
            acl.put("allow", a.allow());
        }
        return out;
    }

    /** A group as the API shows it: members by user name, without their priorities. */
    static ObjectNode group(DynsecData data, DynsecGroup group) {
        ObjectNode out = CommandContext.object();
        out.put("groupname", group.name);
        texts(out, group.textName, group.textDescription);
        ArrayNode clients = out.putArray("clients");
        for (DynsecClient c : data.members(group)) {
            clients.addObject().put("username", c.username);
        }
        roles(out, group.roles);
        return out;
    }

    /** A group as the file holds it: roles, then members with the priority each gave it. */
    static ObjectNode storedGroup(DynsecData data, DynsecGroup group) {
        ObjectNode out = CommandContext.object();
        out.put("groupname", group.name);
        texts(out, group.textName, group.textDescription);
        roles(out, group.roles);
        ArrayNode clients = out.putArray("clients");
        for (DynsecClient c : data.members(group)) {
            ObjectNode member = clients.addObject().put("username", c.username);
            int priority = c.group(group).priority();
            if (priority != Ranked.NONE) {
                member.put("priority", priority);
            }
        }
        return out;
    }

    static ObjectNode client(DynsecClient client) {
        ObjectNode out = clientHead(client);
        roles(out, client.roles);
        ArrayNode groups = out.putArray("groups");
        for (GroupLink l : client.groups) {
            ObjectNode g = groups.addObject().put("groupname", l.group().name);
            if (l.priority() != Ranked.NONE) {
                g.put("priority", l.priority());
            }
        }
        return out;
    }

    static ObjectNode storedClient(DynsecClient client) {
        ObjectNode out = clientHead(client);
        roles(out, client.roles);
        if (client.password != null) {
            out.put("password", Base64.getEncoder().encodeToString(client.password.hash()));
            out.put("salt", Base64.getEncoder().encodeToString(client.password.salt()));
            out.put("iterations", client.password.iterations());
        }
        return out;
    }

    private static ObjectNode clientHead(DynsecClient client) {
        ObjectNode out = CommandContext.object();
        out.put("username", client.username);
        if (client.clientId != null) {
            out.put("clientid", client.clientId);
        }
        texts(out, client.textName, client.textDescription);
        if (client.disabled) {
            out.put("disabled", true);
        }
        return out;
    }

    private static void texts(ObjectNode out, String textName, String textDescription) {
        if (textName != null) {
            out.put("textname", textName);
        }
        if (textDescription != null) {
            out.put("textdescription", textDescription);
        }
    }

    private static void roles(ObjectNode out, java.util.List<RoleLink> links) {
        ArrayNode roles = out.putArray("roles");
        for (RoleLink l : links) {
            ObjectNode r = roles.addObject().put("rolename", l.role().name);
            if (l.priority() != Ranked.NONE) {
                r.put("priority", l.priority());
            }
        }
    }
}
