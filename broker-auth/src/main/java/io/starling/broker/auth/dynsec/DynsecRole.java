package io.starling.broker.auth.dynsec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A role: named ACLs, kept per type in priority order. Mutated only on the plugin's own thread. */
final class DynsecRole {
    private static final Comparator<Acl> BY_PRIORITY = Comparator.comparingInt(Acl::priority).reversed();

    final String name;
    String textName;
    String textDescription;
    private final Map<AclType, List<Acl>> acls = new EnumMap<>(AclType.class);

    DynsecRole(String name) {
        this.name = name;
        for (AclType t : AclType.values()) {
            acls.put(t, new ArrayList<>());
        }
    }

    List<Acl> acls(AclType type) {
        return acls.get(type);
    }

    /** Every ACL, type by type in {@link AclType} order, each type by priority. */
    List<Acl> allAcls() {
        List<Acl> all = new ArrayList<>();
        for (AclType t : AclType.values()) {
            all.addAll(acls.get(t));
        }
        return all;
    }

    Acl find(AclType type, String topic) {
        for (Acl a : acls.get(type)) {
            if (a.topic().equals(topic)) {
                return a;
            }
        }
        return null;
    }

    /** Adds an ACL unless one of its type and topic exists; returns whether it did. */
    boolean add(Acl acl) {
        if (find(acl.type(), acl.topic()) != null) {
            return false;
        }
        Ranked.insert(acls.get(acl.type()), acl, BY_PRIORITY);
        return true;
    }

    /**
     * Adds an ACL even when one of its type and topic exists: the plugin keeps both when a role's ACLs
     * come as a list (createRole, modifyRole, the file); the first by priority decides.
     */
    void append(Acl acl) {
        Ranked.insert(acls.get(acl.type()), acl, BY_PRIORITY);
    }

    /** Removes the first ACL of this type and topic; returns whether there was one. */
    boolean remove(AclType type, String topic) {
        Acl found = find(type, topic);
        return found != null && acls.get(type).remove(found);
    }

    void clearAcls() {
        acls.values().forEach(List::clear);
    }
}
