package io.starling.broker.auth.dynsec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything dynamic security knows: clients, groups, roles, the default access and the anonymous group.
 * Owned by the plugin's own thread ({@link DynamicSecurity}); the broker's threads read the immutable
 * {@link AccessRules} made from it after each change, never this.
 */
final class DynsecData {
    /** The plugin lists names in {@code strcmp} order: by their UTF-8 bytes. */
    static final Comparator<String> NAME_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    final Map<String, DynsecClient> clients = new HashMap<>();
    final Map<String, DynsecGroup> groups = new HashMap<>();
    final Map<String, DynsecRole> roles = new HashMap<>();
    final DefaultAccess defaults = new DefaultAccess();
    /** Null: anonymous clients have no group (only the default access applies to them). */
    DynsecGroup anonymousGroup;

    List<DynsecClient> sortedClients() {
        List<DynsecClient> list = new ArrayList<>(clients.values());
        list.sort(Comparator.comparing(c -> c.username, NAME_ORDER));
        return list;
    }

    List<DynsecGroup> sortedGroups() {
        List<DynsecGroup> list = new ArrayList<>(groups.values());
        list.sort(Comparator.comparing(g -> g.name, NAME_ORDER));
        return list;
    }

    List<DynsecRole> sortedRoles() {
        List<DynsecRole> list = new ArrayList<>(roles.values());
        list.sort(Comparator.comparing(r -> r.name, NAME_ORDER));
        return list;
    }

    /** The members of {@code group}, by user name, with the priority each gave it. */
    List<DynsecClient> members(DynsecGroup group) {
        List<DynsecClient> list = new ArrayList<>();
        for (DynsecClient c : sortedClients()) {
            if (c.group(group) != null) {
                list.add(c);
            }
        }
        return list;
    }
}
