package io.starling.broker.auth.dynsec;

import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.core.topic.TopicFilter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable picture of dynamic security for the broker's threads: made from {@link DynsecData} after
 * each change, read by every check without a lock.
 *
 * <p>An ACL check goes as the plugin's: the client's roles by priority, then its groups by priority and
 * each group's roles by priority (an anonymous client: the anonymous group's roles); within a role the
 * ACLs of the kind asked for by priority, and for (un)subscribe the literal ACL of the exact filter
 * before the patterns; the first ACL that matches decides. When none does, the default access decides,
 * except that {@code $CONTROL} topics are never allowed by default. A user name the plugin does not know
 * gets no answer from it ({@link Answer#DEFER}).
 */
final class AccessRules {
    enum Answer { ALLOW, DENY, DEFER }

    /** One role's ACLs, by kind and priority; literal (un)subscribe ACLs also by filter. */
    record RoleAcls(Map<AclType, List<Acl>> byType, Map<String, Acl> subscribeLiteral, Map<String, Acl> unsubscribeLiteral) {
        static RoleAcls of(DynsecRole role) {
            Map<AclType, List<Acl>> byType = new EnumMap<>(AclType.class);
            for (AclType t : AclType.values()) {
                byType.put(t, List.copyOf(role.acls(t)));
            }
            return new RoleAcls(byType, literal(role.acls(AclType.SUBSCRIBE_LITERAL)),
                    literal(role.acls(AclType.UNSUBSCRIBE_LITERAL)));
        }

        private static Map<String, Acl> literal(List<Acl> acls) {
            Map<String, Acl> map = new HashMap<>();
            acls.forEach(a -> map.putIfAbsent(a.topic(), a));
            return Map.copyOf(map);
        }
    }

    /** What a known client needs for its checks. */
    record ClientRules(PasswordHash.Pbkdf2Sha512 password, String clientId, boolean disabled, List<RoleAcls> roles) {
    }

    private final Map<String, ClientRules> clients;
    /** Null: no anonymous group. */
    private final List<RoleAcls> anonymous;
    private final boolean[] defaults;

    private AccessRules(Map<String, ClientRules> clients, List<RoleAcls> anonymous, boolean[] defaults) {
        this.clients = clients;
        this.anonymous = anonymous;
        this.defaults = defaults;
    }

    static AccessRules of(DynsecData data) {
        Map<DynsecRole, RoleAcls> roles = new HashMap<>();
        data.roles.values().forEach(r -> roles.put(r, RoleAcls.of(r)));
        Map<String, ClientRules> clients = new HashMap<>();
        for (DynsecClient c : data.clients.values()) {
            List<RoleAcls> ordered = new ArrayList<>();
            c.roles.forEach(l -> ordered.add(roles.get(l.role())));
            for (GroupLink g : c.groups) {
                g.group().roles.forEach(l -> ordered.add(roles.get(l.role())));
            }
            clients.put(c.username, new ClientRules(c.password, c.clientId, c.disabled, List.copyOf(ordered)));
        }
        List<RoleAcls> anonymous = null;
        if (data.anonymousGroup != null) {
            anonymous = data.anonymousGroup.roles.stream().map(l -> roles.get(l.role())).toList();
        }
        boolean[] defaults = new boolean[DefaultAccess.NAMES.length];
        for (int i = 0; i < defaults.length; i++) {
            defaults[i] = data.defaults.get(i);
        }
        return new AccessRules(Map.copyOf(clients), anonymous, defaults);
    }

    ClientRules client(String username) {
        return clients.get(username);
    }

    Answer publishSend(String username, String topic) {
        return check(username, topic, AclType.PUBLISH_CLIENT_SEND, defaults[0]);
    }

    Answer publishReceive(String username, String topic) {
        return check(username, topic, AclType.PUBLISH_CLIENT_RECEIVE, defaults[1]);
    }

    Answer subscribe(String username, String filter) {
        return check(username, filter, AclType.SUBSCRIBE_PATTERN, defaults[2]);
    }

    Answer unsubscribe(String username, String filter) {
        return check(username, filter, AclType.UNSUBSCRIBE_PATTERN, defaults[3]);
    }

    private Answer check(String username, String topic, AclType type, boolean defaultAllow) {
        List<RoleAcls> roles;
        if (username != null) {
            ClientRules client = clients.get(username);
            if (client == null) {
                return Answer.DEFER;
            }
            roles = client.roles();
        } else {
            roles = anonymous == null ? List.of() : anonymous;
        }
        for (RoleAcls role : roles) {
            Answer a = check(role, topic, type);
            if (a != Answer.DEFER) {
                return a;
            }
        }
        if (!defaultAllow || topic.startsWith("$CONTROL")) {
            return Answer.DEFER; // $CONTROL is never allowed by default: it must be granted
        }
        return Answer.ALLOW;
    }

    private static Answer check(RoleAcls role, String topic, AclType type) {
        if (type == AclType.SUBSCRIBE_PATTERN || type == AclType.UNSUBSCRIBE_PATTERN) {
            Acl literal = (type == AclType.SUBSCRIBE_PATTERN ? role.subscribeLiteral() : role.unsubscribeLiteral()).get(topic);
            if (literal != null) {
                return literal.allow() ? Answer.ALLOW : Answer.DENY;
            }
            for (Acl a : role.byType().get(type)) {
                if (FilterCoverage.covers(a.topic(), topic)) {
                    return a.allow() ? Answer.ALLOW : Answer.DENY;
                }
            }
            return Answer.DEFER;
        }
        for (Acl a : role.byType().get(type)) {
            if (!a.topic().isEmpty() && !topic.isEmpty() && TopicFilter.matches(a.topic(), topic)) {
                return a.allow() ? Answer.ALLOW : Answer.DENY;
            }
        }
        return Answer.DEFER;
    }
}
