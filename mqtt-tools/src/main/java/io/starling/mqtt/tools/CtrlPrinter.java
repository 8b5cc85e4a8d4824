package io.starling.mqtt.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;

/**
 * Prints a dynamic security answer as mosquitto_ctrl 2.0.11 does: the error on standard error as
 * {@code <command>: Error: <text>}; names of a list one per line; a client, group or role as labelled
 * lines (text names and descriptions are not shown); a priority that is not set as -1.
 */
final class CtrlPrinter {
    private final PrintStream out;
    private final PrintStream err;

    CtrlPrinter(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void print(String command, JsonNode response) {
        if (response.hasNonNull("error")) {
            err.print(command + ": Error: " + response.get("error").asText() + "\n");
            return;
        }
        JsonNode data = response.path("data");
        switch (command) {
            case "listClients" -> names(data.path("clients"));
            case "listGroups" -> names(data.path("groups"));
            case "listRoles" -> names(data.path("roles"));
            case "getClient" -> client(data.path("client"));
            case "getGroup" -> group(data.path("group"));
            case "getRole" -> role(data.path("role"));
            case "getDefaultACLAccess" -> {
                for (JsonNode acl : data.path("acls")) {
                    out.printf("%-20s : %s\n", acl.path("acltype").asText(), acl.path("allow").asBoolean() ? "allow" : "deny");
                }
            }
            case "getAnonymousGroup" -> out.print(data.path("group").path("groupname").asText() + "\n");
            default -> {
                // the other commands print nothing when they succeed
            }
        }
    }

    private void names(JsonNode list) {
        for (JsonNode n : list) {
            out.print((n.isTextual() ? n.asText() : n.path("username").asText()) + "\n");
        }
    }

    private void client(JsonNode c) {
        out.print("Username: " + c.path("username").asText() + "\n");
        out.print("Clientid:" + (c.hasNonNull("clientid") ? " " + c.get("clientid").asText() : "") + "\n");
        if (c.path("disabled").asBoolean(false)) {
            out.print("Disabled: true\n");
        }
        section("Roles:    ", c.path("roles"), "rolename", true);
        section("Groups:   ", c.path("groups"), "groupname", true);
    }

    private void group(JsonNode g) {
        out.print("Groupname: " + g.path("groupname").asText() + "\n");
        section("Roles:     ", g.path("roles"), "rolename", true);
        section("Clients:   ", g.path("clients"), "username", false);
    }

    private void role(JsonNode r) {
        out.print("Rolename: " + r.path("rolename").asText() + "\n");
        String label = "ACLs:     ";
        for (JsonNode acl : r.path("acls")) {
            out.printf("%s%-20s : %s : %s (priority: %d)\n", label, acl.path("acltype").asText(),
                    acl.path("allow").asBoolean() ? "allow" : "deny ", acl.path("topic").asText(),
                    acl.path("priority").asInt(-1));
            label = " ".repeat(label.length());
        }
    }

    /** A labelled list, one entry per line, later lines indented under the first. */
    private void section(String label, JsonNode list, String key, boolean priority) {
        String prefix = label;
        for (JsonNode e : list) {
            out.print(prefix + e.path(key).asText()
                    + (priority ? " (priority: " + e.path("priority").asInt(-1) + ")" : "") + "\n");
            prefix = " ".repeat(label.length());
        }
    }
}
