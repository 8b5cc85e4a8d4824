package io.starling.broker.auth.dynsec;

import io.starling.broker.core.auth.file.PasswordHash;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A client of dynamic security, known by its user name: its password hash, an optional client id it
 * must connect with, whether it is disabled, and its roles and groups in priority order. Mutated only on
 * the plugin's own thread.
 */
final class DynsecClient {
    private static final Comparator<GroupLink> GROUPS_BY_PRIORITY = Comparator.comparingInt(GroupLink::priority).reversed();

    final String username;
    /** Null: any client id. */
    String clientId;
    String textName;
    String textDescription;
    /** Null: no password, the client cannot log in (the plugin defers, which refuses it). */
    PasswordHash.Pbkdf2Sha512 password;
    boolean disabled;
    final List<RoleLink> roles = new ArrayList<>();
    final List<GroupLink> groups = new ArrayList<>();

    DynsecClient(String username) {
        this.username = username;
    }

    boolean hasRole(DynsecRole role) {
        return roles.stream().anyMatch(l -> l.role() == role);
    }

    void addRole(DynsecRole role, int priority) {
        Ranked.insert(roles, new RoleLink(role, priority), DynsecGroup.ROLES_BY_PRIORITY);
    }

    boolean removeRole(DynsecRole role) {
        return roles.removeIf(l -> l.role() == role);
    }

    GroupLink group(DynsecGroup group) {
        for (GroupLink l : groups) {
            if (l.group() == group) {
                return l;
            }
        }
        return null;
    }

    void addGroup(DynsecGroup group, int priority) {
        Ranked.insert(groups, new GroupLink(group, priority), GROUPS_BY_PRIORITY);
    }

    boolean removeGroup(DynsecGroup group) {
        return groups.removeIf(l -> l.group() == group);
    }

    /** Whether {@code role} applies to this client, directly or through a group. */
    boolean uses(DynsecRole role) {
        return hasRole(role) || groups.stream().anyMatch(l -> l.group().hasRole(role));
    }
}
