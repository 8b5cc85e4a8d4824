package io.starling.broker.auth.dynsec;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.auth.dynsec.AccessRules.Answer;
import org.junit.jupiter.api.Test;

/** The order in which dynamic security's ACLs decide, as the plugin's acl.c walks them. */
class AccessRulesTest {
    private final DynsecData data = new DynsecData();

    private DynsecRole role(String name, Acl... acls) {
        DynsecRole r = new DynsecRole(name);
        for (Acl a : acls) {
            r.append(a);
        }
        data.roles.put(name, r);
        return r;
    }

    private DynsecClient client(String username) {
        DynsecClient c = new DynsecClient(username);
        data.clients.put(username, c);
        return c;
    }

    private static Acl acl(AclType type, String topic, int priority, boolean allow) {
        return new Acl(type, topic, priority, allow);
    }

    @Test
    void clientRolesDecideBeforeItsGroupsRoles_andHigherPrioritiesFirst() {
        DynsecRole allow = role("allow", acl(AclType.PUBLISH_CLIENT_SEND, "t/#", 0, true));
        DynsecRole deny = role("deny", acl(AclType.PUBLISH_CLIENT_SEND, "t/#", 0, false));
        DynsecGroup group = new DynsecGroup("g");
        group.addRole(allow, 100);
        data.groups.put("g", group);
        DynsecClient c = client("u");
        c.addGroup(group, 100);
        c.addRole(deny, Ranked.NONE);

        assertThat(AccessRules.of(data).publishSend("u", "t/x")).isEqualTo(Answer.DENY);

        c.addRole(allow, 5); // a higher priority than deny's -1
        assertThat(AccessRules.of(data).publishSend("u", "t/x")).isEqualTo(Answer.ALLOW);
    }

    @Test
    void withinARole_theAclOfHigherPriorityDecides() {
        DynsecClient c = client("u");
        c.addRole(role("r", acl(AclType.PUBLISH_CLIENT_RECEIVE, "t/#", 1, true),
                acl(AclType.PUBLISH_CLIENT_RECEIVE, "t/secret", 2, false)), Ranked.NONE);

        AccessRules rules = AccessRules.of(data);

        assertThat(rules.publishReceive("u", "t/secret")).isEqualTo(Answer.DENY);
        assertThat(rules.publishReceive("u", "t/open")).isEqualTo(Answer.ALLOW);
    }

    @Test
    void forSubscribe_theLiteralAclOfTheExactFilterDecidesBeforeAnyPattern() {
        DynsecClient c = client("u");
        c.addRole(role("r", acl(AclType.SUBSCRIBE_PATTERN, "t/#", 10, false),
                acl(AclType.SUBSCRIBE_LITERAL, "t/+", 0, true)), Ranked.NONE);

        AccessRules rules = AccessRules.of(data);

        assertThat(rules.subscribe("u", "t/+")).isEqualTo(Answer.ALLOW);
        assertThat(rules.subscribe("u", "t/a")).isEqualTo(Answer.DENY);
    }

    @Test
    void withoutAMatch_theDefaultAccessDecides_butNeverAllowsControlTopics() {
        client("u");
        data.defaults.publishClientSend = true;

        AccessRules rules = AccessRules.of(data);

        assertThat(rules.publishSend("u", "any/topic")).isEqualTo(Answer.ALLOW);
        assertThat(rules.publishSend("u", "$CONTROL/dynamic-security/v1")).isEqualTo(Answer.DEFER);
        assertThat(rules.subscribe("u", "any/topic")).isEqualTo(Answer.DEFER); // subscribe defaults to deny
        assertThat(rules.unsubscribe("u", "any/topic")).isEqualTo(Answer.ALLOW);
    }

    @Test
    void anUnknownUserGetsNoAnswer_andAnAnonymousClientTheAnonymousGroupsRoles() {
        DynsecGroup anonymous = new DynsecGroup("anon");
        anonymous.addRole(role("r", acl(AclType.SUBSCRIBE_PATTERN, "pub/#", 0, true)), Ranked.NONE);
        data.groups.put("anon", anonymous);
        data.anonymousGroup = anonymous;

        AccessRules rules = AccessRules.of(data);

        assertThat(rules.subscribe("stranger", "pub/x")).isEqualTo(Answer.DEFER);
        assertThat(rules.subscribe(null, "pub/x")).isEqualTo(Answer.ALLOW);
        assertThat(rules.subscribe(null, "other")).isEqualTo(Answer.DEFER);
    }

    @Test
    void anEmptyAclTopicMatchesNoPublish_andHashDoesNotMatchDollarTopics() {
        DynsecClient c = client("u");
        c.addRole(role("r", acl(AclType.PUBLISH_CLIENT_SEND, "", 5, false),
                acl(AclType.PUBLISH_CLIENT_SEND, "#", 0, true)), Ranked.NONE);

        AccessRules rules = AccessRules.of(data);

        assertThat(rules.publishSend("u", "a")).isEqualTo(Answer.ALLOW);
        assertThat(rules.publishSend("u", "$SYS/x")).isEqualTo(Answer.DEFER);
    }
}
