package io.starling.broker.auth.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.starling.broker.core.auth.file.PasswordHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;

/**
 * {@code dynamic-security.json}, the file mosquitto's plugin reads and writes, in both directions: a file
 * either broker wrote is read by the other. Read as the plugin reads it (keys in any case, entries it
 * cannot use skipped: roles first, then clients with their roles, then groups with their roles and
 * members); written as the plugin writes it, to {@code FILE.new} and then renamed over the file, so a
 * crash mid-write leaves the old file whole.
 */
final class DynsecFile {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The file cannot be used; the message says why, in the plugin's words. */
    static final class DynsecFileException extends Exception {
        DynsecFileException(String message) {
            super(message);
        }
    }

    private DynsecFile() {
    }

    static DynsecData read(Path file) throws DynsecFileException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DynsecFileException("File is not readable - check permissions.");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(Json.decode(bytes));
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new DynsecFileException("File is not valid JSON.");
        }
        return parse(root);
    }

    static DynsecData parse(JsonNode root) {
        DynsecData data = new DynsecData();
        JsonNode defaults = Json.get(root, "defaultACLAccess");
        if (defaults != null && defaults.isObject()) {
            for (String name : DefaultAccess.NAMES) {
                JsonNode v = Json.get(defaults, name);
                if (v != null && v.isBoolean()) {
                    data.defaults.set(name, v.booleanValue());
                }
            }
        }
        for (JsonNode r : array(root, "roles")) {
            String name = Json.string(r, "rolename");
            if (name == null || data.roles.containsKey(name)) {
                continue;
            }
            DynsecRole role = new DynsecRole(name);
            role.textName = Json.string(r, "textname");
            role.textDescription = Json.string(r, "textdescription");
            RoleCommands.addAcls(role, Json.get(r, "acls"));
            data.roles.put(name, role);
        }
        for (JsonNode c : array(root, "clients")) {
            String username = Json.string(c, "username");
            if (username == null || data.clients.containsKey(username)) {
                continue;
            }
            DynsecClient client = new DynsecClient(username);
            String clientId = Json.string(c, "clientid");
            client.clientId = clientId == null || clientId.isEmpty() ? null : clientId;
            client.textName = Json.string(c, "textname");
            client.textDescription = Json.string(c, "textdescription");
            client.disabled = Json.bool(c, "disabled", false);
            client.password = password(c);
            links(data, c, (role, priority) -> client.addRole(role, priority));
            data.clients.put(username, client);
        }
        for (JsonNode g : array(root, "groups")) {
            String name = Json.string(g, "groupname");
            if (name == null || data.groups.containsKey(name)) {
                continue;
            }
            DynsecGroup group = new DynsecGroup(name);
            group.textName = Json.string(g, "textname");
            group.textDescription = Json.string(g, "textdescription");
            links(data, g, (role, priority) -> group.addRole(role, priority));
            data.groups.put(name, group);
            for (JsonNode m : array(g, "clients")) {
                String username = Json.string(m, "username");
                DynsecClient member = username == null ? null : data.clients.get(username);
                if (member != null && member.group(group) == null) {
                    member.addGroup(group, Json.integer(m, "priority", Ranked.NONE));
                }
            }
        }
        String anonymous = Json.string(root, "anonymousGroup");
        data.anonymousGroup = anonymous == null ? null : data.groups.get(anonymous);
        return data;
    }

    private interface RoleAdder {
        void add(DynsecRole role, int priority);
    }

    private static void links(DynsecData data, JsonNode owner, RoleAdder adder) {
        for (JsonNode l : array(owner, "roles")) {
            String name = Json.string(l, "rolename");
            DynsecRole role = name == null ? null : data.roles.get(name);
            if (role != null) {
                adder.add(role, Json.integer(l, "priority", Ranked.NONE));
            }
        }
    }

    private static Iterable<JsonNode> array(JsonNode owner, String key) {
        JsonNode n = Json.get(owner, key);
        return n != null && n.isArray() ? n : java.util.List.of();
    }

    /** The stored hash, or null when it is missing or malformed (the client then cannot log in). */
    private static PasswordHash.Pbkdf2Sha512 password(JsonNode client) {
        String hash = Json.string(client, "password");
        String salt = Json.string(client, "salt");
        int iterations = Json.integer(client, "iterations", 0);
        if (hash == null || salt == null || iterations < 1) {
            return null;
        }
        try {
            return new PasswordHash.Pbkdf2Sha512(iterations, Base64.getDecoder().decode(salt),
                    Base64.getDecoder().decode(hash));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The new file gets the old one's permissions (it holds password hashes); a first file is the owner's only. */
    private static void keepPermissions(Path file, Path next) {
        try {
            var permissions = Files.exists(file) ? Files.getPosixFilePermissions(file)
                    : java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
            Files.setPosixFilePermissions(next, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            // a file system without POSIX permissions: the new file keeps what it was created with
        }
    }

    static ObjectNode toJson(DynsecData data) {
        ObjectNode root = CommandContext.object();
        ObjectNode defaults = root.putObject("defaultACLAccess");
        for (int i = 0; i < DefaultAccess.NAMES.length; i++) {
            defaults.put(DefaultAccess.NAMES[i], data.defaults.get(i));
        }
        ArrayNode clients = root.putArray("clients");
        data.sortedClients().forEach(c -> clients.add(Views.storedClient(c)));
        ArrayNode groups = root.putArray("groups");
        data.sortedGroups().forEach(g -> groups.add(Views.storedGroup(data, g)));
        if (data.anonymousGroup != null) {
            root.put("anonymousGroup", data.anonymousGroup.name);
        }
        ArrayNode roles = root.putArray("roles");
        data.sortedRoles().forEach(r -> roles.add(Views.role(r)));
        return root;
    }

    /** Writes {@code FILE.new}, flushed to disk, then renames it over {@code file}. */
    static void write(Path file, DynsecData data) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        byte[] bytes = CJsonWriter.formatted(toJson(data)).getBytes(StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(next, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        keepPermissions(file, next);
        try {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
