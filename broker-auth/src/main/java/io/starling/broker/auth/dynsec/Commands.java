package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one request of {@code $CONTROL/dynamic-security/v1}: {@code {"commands":[...]}}, each command in
 * turn, and builds the {@code {"responses":[...]}} the plugin sends back, error strings and all. Command
 * names match case-insensitively; the answer names the command as the plugin spells it.
 */
final class Commands {
    @FunctionalInterface
    private interface Command {
        /** Returns the {@code data} member, or null for none. */
        ObjectNode run(CommandContext ctx, JsonNode command) throws CommandError;
    }

    private static final Map<String, Map.Entry<String, Command>> BY_LOWER_NAME = new LinkedHashMap<>();

    static {
        add("getDefaultACLAccess", AccessCommands::get);
        add("setDefaultACLAccess", AccessCommands::set);
        add("createClient", ClientCommands::create);
        add("deleteClient", ClientCommands::delete);
        add("getClient", ClientCommands::get);
        add("listClients", ClientCommands::list);
        add("modifyClient", ClientCommands::modify);
        add("setClientPassword", ClientCommands::setPassword);
        add("setClientId", ClientCommands::setClientId);
        add("enableClient", ClientCommands::enable);
        add("disableClient", ClientCommands::disable);
        add("addClientRole", ClientCommands::addRole);
        add("removeClientRole", ClientCommands::removeRole);
        add("createGroup", GroupCommands::create);
        add("deleteGroup", GroupCommands::delete);
        add("getGroup", GroupCommands::get);
        add("listGroups", GroupCommands::list);
        add("modifyGroup", GroupCommands::modify);
        add("addGroupClient", GroupCommands::addClient);
        add("removeGroupClient", GroupCommands::removeClient);
        add("addGroupRole", GroupCommands::addRole);
        add("removeGroupRole", GroupCommands::removeRole);
        add("setAnonymousGroup", GroupCommands::setAnonymous);
        add("getAnonymousGroup", GroupCommands::getAnonymous);
        add("createRole", RoleCommands::create);
        add("deleteRole", RoleCommands::delete);
        add("getRole", RoleCommands::get);
        add("listRoles", RoleCommands::list);
        add("modifyRole", RoleCommands::modify);
        add("addRoleACL", RoleCommands::addAcl);
        add("removeRoleACL", RoleCommands::removeAcl);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String UNKNOWN = "Unknown command";

    private Commands() {
    }

    private static void add(String name, Command command) {
        BY_LOWER_NAME.put(name.toLowerCase(Locale.ROOT), Map.entry(name, command));
    }

    /** Answers {@code payload}; changes go into {@code ctx}. */
    static ObjectNode run(CommandContext ctx, byte[] payload) {
        ObjectNode answer = CommandContext.object();
        ArrayNode responses = answer.putArray("responses");
        JsonNode request;
        try (JsonParser parser = MAPPER.createParser(Json.decode(payload))) {
            request = MAPPER.readTree(parser); // the first value; what follows it is ignored, as by cJSON
        } catch (IOException e) {
            request = null;
        }
        if (request == null || request.isMissingNode()) {
            responses.add(error(UNKNOWN, "Payload not valid JSON", null));
            return answer;
        }
        JsonNode commands = Json.get(request, "commands");
        if (commands == null || !commands.isArray()) {
            responses.add(error(UNKNOWN, "Invalid/missing commands", null));
            return answer;
        }
        for (JsonNode command : commands) {
            responses.add(runOne(ctx, command));
        }
        return answer;
    }

    private static ObjectNode runOne(CommandContext ctx, JsonNode command) {
        if (!command.isObject()) {
            return error(UNKNOWN, "Command not an object", null);
        }
        String name = Json.string(command, "command");
        if (name == null) {
            return error(UNKNOWN, "Missing command", null);
        }
        JsonNode correlation = Json.get(command, "correlationData");
        Map.Entry<String, Command> known = BY_LOWER_NAME.get(name.toLowerCase(Locale.ROOT));
        String answerName = known == null ? name : known.getKey();
        if (correlation != null && !correlation.isTextual()) {
            return error(answerName, "Invalid correlationData data type.", null);
        }
        String correlationData = correlation == null ? null : correlation.textValue();
        if (known == null) {
            return error(name, UNKNOWN, correlationData);
        }
        try {
            ObjectNode data = known.getValue().run(ctx, command);
            ObjectNode response = CommandContext.object().put("command", answerName);
            if (data != null) {
                response.set("data", data);
            }
            if (correlationData != null) {
                response.put("correlationData", correlationData);
            }
            return response;
        } catch (CommandError e) {
            return error(answerName, e.getMessage(), correlationData);
        }
    }

    private static ObjectNode error(String command, String message, String correlationData) {
        ObjectNode response = CommandContext.object().put("command", command).put("error", message);
        if (correlationData != null) {
            response.put("correlationData", correlationData);
        }
        return response;
    }
}
