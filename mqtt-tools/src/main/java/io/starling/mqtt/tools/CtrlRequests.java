package io.starling.mqtt.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * A {@code starling ctrl dynsec} command line turned into the one command object it sends, with
 * mosquitto_ctrl 2.0.11's argument checks (a wrong count, an unknown ACL type or answer: status 3),
 * password prompts and members in its order. Unknown commands: status 13.
 */
final class CtrlRequests {
    private static final Set<String> ACL_TYPES = Set.of("publishClientSend", "publishClientReceive",
            "subscribeLiteral", "subscribePattern", "unsubscribeLiteral", "unsubscribePattern");
    private static final Set<String> DEFAULT_TYPES = Set.of("publishClientSend", "publishClientReceive",
            "subscribe", "unsubscribe");

    private final CtrlPrompt prompt;
    private final PrintStream err;

    CtrlRequests(CtrlPrompt prompt, PrintStream err) {
        this.prompt = prompt;
        this.err = err;
    }

    /** The command object for {@code name} with its arguments {@code a}. */
    ObjectNode build(String name, List<String> a) throws CtrlExit, IOException {
        ObjectNode c = JsonNodeFactory.instance.objectNode().put("command", name);
        switch (name) {
            case "createClient" -> createClient(c, a);
            case "deleteClient", "getClient", "enableClient", "disableClient" -> one(c, a, "username");
            case "setClientPassword" -> setClientPassword(c, a);
            case "setClientId" -> {
                count(a, 1, 2);
                c.put("username", a.get(0));
                if (a.size() == 2) {
                    c.put("clientid", a.get(1));
                }
            }
            case "addClientRole" -> withPriority(c, a, "username", "rolename");
            case "removeClientRole" -> two(c, a, "username", "rolename");
            case "listClients", "listGroups", "listRoles" -> list(c, a);
            case "createGroup", "deleteGroup", "getGroup", "setAnonymousGroup" -> one(c, a, "groupname");
            case "addGroupRole" -> withPriority(c, a, "groupname", "rolename");
            case "removeGroupRole" -> two(c, a, "groupname", "rolename");
            case "addGroupClient" -> {
                count(a, 2, 3);
                c.put("username", a.get(1)).put("groupname", a.get(0)); // as mosquitto_ctrl: user first
                if (a.size() == 3) {
                    c.put("priority", CNumbers.atoi(a.get(2)));
                }
            }
            case "removeGroupClient" -> {
                count(a, 2, 2);
                c.put("username", a.get(1)).put("groupname", a.get(0));
            }
            case "getAnonymousGroup", "getDefaultACLAccess" -> count(a, 0, 0);
            case "createRole", "deleteRole", "getRole" -> one(c, a, "rolename");
            case "addRoleACL" -> addRoleAcl(c, a);
            case "removeRoleACL" -> {
                count(a, 3, 3);
                aclType(a.get(1));
                c.put("rolename", a.get(0)).put("acltype", a.get(1)).put("topic", a.get(2));
            }
            case "setDefaultACLAccess" -> setDefaultAccess(c, a);
            default -> {
                err.print("Command '" + name + "' not recognised.\n");
                throw new CtrlExit(13);
            }
        }
        return c;
    }

    private void invalid() throws CtrlExit {
        err.print(CtrlTexts.INVALID_ARGUMENTS);
        throw new CtrlExit(3);
    }

    private void count(List<String> a, int min, int max) throws CtrlExit {
        if (a.size() < min || a.size() > max) {
            invalid();
        }
    }

    private void one(ObjectNode c, List<String> a, String key) throws CtrlExit {
        count(a, 1, 1);
        c.put(key, a.get(0));
    }

    private void two(ObjectNode c, List<String> a, String first, String second) throws CtrlExit {
        count(a, 2, 2);
        c.put(first, a.get(0)).put(second, a.get(1));
    }

    private void withPriority(ObjectNode c, List<String> a, String first, String second) throws CtrlExit {
        count(a, 2, 3);
        c.put(first, a.get(0)).put(second, a.get(1));
        if (a.size() == 3) {
            c.put("priority", CNumbers.atoi(a.get(2)));
        }
    }

    /** {@code [count [offset]]}: only a positive count is sent, and the offset with it. */
    private void list(ObjectNode c, List<String> a) throws CtrlExit {
        count(a, 0, 2);
        int n = a.isEmpty() ? 0 : CNumbers.atoi(a.get(0));
        if (n > 0) {
            c.put("count", n);
            if (a.size() == 2) {
                c.put("offset", CNumbers.atoi(a.get(1)));
            }
        }
    }

    /** {@code <username> [-c clientid] [-p password]}; other words after the name are skipped, as by mosquitto_ctrl. */
    private void createClient(ObjectNode c, List<String> a) throws CtrlExit, IOException {
        count(a, 1, Integer.MAX_VALUE);
        String clientId = null;
        String password = null;
        boolean passwordGiven = false;
        for (int i = 1; i < a.size(); i++) {
            String w = a.get(i);
            if (w.equals("-c") || w.equals("-p")) {
                if (i + 1 >= a.size()) {
                    err.print("Error: " + w + " argument given, but no "
                            + (w.equals("-c") ? "clientid" : "password") + " provided.\n");
                    invalid();
                }
                if (w.equals("-c")) {
                    clientId = a.get(++i);
                } else {
                    password = a.get(++i);
                    passwordGiven = true;
                }
            }
        }
        if (!passwordGiven) {
            CtrlPrompt.OptionalPassword typed = prompt.optionalPassword(a.get(0), err);
            if (!typed.proceed()) {
                throw new CtrlExit(0);
            }
            password = typed.password();
        }
        c.put("username", a.get(0));
        if (clientId != null && !clientId.isEmpty()) {
            c.put("clientid", clientId);
        }
        if (password != null && !password.isEmpty()) {
            c.put("password", password);
        }
    }

    private void setClientPassword(ObjectNode c, List<String> a) throws CtrlExit, IOException {
        count(a, 1, 2);
        String password = a.size() == 2 ? a.get(1) : prompt.newPassword(a.get(0), err, true);
        if (password == null) {
            throw new CtrlExit(0);
        }
        c.put("username", a.get(0)).put("password", password);
    }

    private void addRoleAcl(ObjectNode c, List<String> a) throws CtrlExit {
        count(a, 4, 5);
        aclType(a.get(1));
        boolean allow = answer(a.get(3));
        c.put("rolename", a.get(0)).put("acltype", a.get(1)).put("topic", a.get(2)).put("allow", allow);
        if (a.size() == 5) {
            c.put("priority", CNumbers.atoi(a.get(4)));
        }
    }

    private void aclType(String type) throws CtrlExit {
        if (!ACL_TYPES.contains(type)) {
            invalid();
        }
    }

    private boolean answer(String word) throws CtrlExit {
        if (!word.equals("allow") && !word.equals("deny")) {
            invalid();
        }
        return word.equals("allow");
    }

    /**
     * mosquitto_ctrl 2.0.11 sends {@code "access": "allow"|"deny"}, which mosquitto 2.0.11's plugin ignores
     * (the command had no effect there until 2.0.12); this sends the plugin's {@code "allow"}, which both
     * brokers apply.
     */
    private void setDefaultAccess(ObjectNode c, List<String> a) throws CtrlExit {
        count(a, 2, 2);
        if (!DEFAULT_TYPES.contains(a.get(0))) {
            invalid();
        }
        if (!a.get(1).equals("allow") && !a.get(1).equals("deny")) {
            err.print("Error: access must be \"allow\" or \"deny\".\n");
            invalid();
        }
        c.putArray("acls").addObject().put("acltype", a.get(0)).put("allow", a.get(1).equals("allow"));
    }
}
