package io.starling.broker.auth.dynsec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A group: roles in priority order, shared by its clients. Mutated only on the plugin's own thread. */
final class DynsecGroup {
    static final Comparator<RoleLink> ROLES_BY_PRIORITY = Comparator.comparingInt(RoleLink::priority).reversed();

    final String name;
    String textName;
    String textDescription;
    final List<RoleLink> roles = new ArrayList<>();

    DynsecGroup(String name) {
        this.name = name;
    }

    boolean hasRole(DynsecRole role) {
        return roles.stream().anyMatch(l -> l.role() == role);
    }

    void addRole(DynsecRole role, int priority) {
        Ranked.insert(roles, new RoleLink(role, priority), ROLES_BY_PRIORITY);
    }

    boolean removeRole(DynsecRole role) {
        return roles.removeIf(l -> l.role() == role);
    }
}
