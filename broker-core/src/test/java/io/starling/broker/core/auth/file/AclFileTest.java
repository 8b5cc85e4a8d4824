package io.starling.broker.core.auth.file;

import static io.starling.broker.core.auth.Authorizer.Access.ALLOW;
import static io.starling.broker.core.auth.Authorizer.Access.DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.core.auth.ClientIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclFileTest {
    private static AclFile acl(String... lines) throws AclFileException {
        return AclFile.parse("aclfile", List.of(lines));
    }

    private static ClientIdentity user(String name) {
        return new ClientIdentity("client-" + name, name);
    }

    private static final ClientIdentity ANONYMOUS = new ClientIdentity("anon", null);

    /** The user's setup from the issue: it must behave as on mosquitto. */
    private static AclFile ceshi() throws AclFileException {
        return acl("user ceshi", "topic write V222/#", "topic read V333/#", "user ceshi2", "topic read V222/#");
    }

    @Test
    void ceshi_mayWriteV222ButNotReadIt() throws Exception {
        AclFile acl = ceshi();
        assertThat(acl.canPublish(user("ceshi"), "V222/a")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("ceshi"), "V222/a")).isEqualTo(DENY);
    }

    @Test
    void ceshi_mayReadV333ButNotWriteIt() throws Exception {
        AclFile acl = ceshi();
        assertThat(acl.canRead(user("ceshi"), "V333/a")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(user("ceshi"), "V333/a")).isEqualTo(DENY);
    }

    @Test
    void ceshi2_mayReadV222ButNotWriteIt() throws Exception {
        AclFile acl = ceshi();
        assertThat(acl.canRead(user("ceshi2"), "V222/a")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(user("ceshi2"), "V222/a")).isEqualTo(DENY);
    }

    @Test
    void anonymousAndUnlistedUsers_mayDoNothing() throws Exception {
        AclFile acl = ceshi();
        for (ClientIdentity who : List.of(ANONYMOUS, user("someone"))) {
            assertThat(acl.canRead(who, "V222/a")).isEqualTo(DENY);
            assertThat(acl.canPublish(who, "V222/a")).isEqualTo(DENY);
            assertThat(acl.canRead(who, "V333/a")).isEqualTo(DENY);
        }
    }

    @Test
    void subscriptionToEverything_isGrantedToAllAndReadsAreFilteredPerMessage() throws Exception {
        AclFile acl = ceshi();
        assertThat(acl.canSubscribe(user("ceshi"), "#")).isEqualTo(ALLOW);
        assertThat(acl.canSubscribe(user("ceshi2"), "#")).isEqualTo(ALLOW);
        assertThat(acl.canSubscribe(ANONYMOUS, "#")).isEqualTo(ALLOW);
    }

    @Test
    void rulesBeforeTheFirstUser_applyToAnonymousClientsOnly() throws Exception {
        AclFile acl = acl("topic read public/#", "user bob", "topic bob/#");
        assertThat(acl.canRead(ANONYMOUS, "public/x")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("bob"), "public/x")).isEqualTo(DENY);
        assertThat(acl.canPublish(user("bob"), "bob/x")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("bob"), "bob/x")).isEqualTo(ALLOW);
    }

    @Test
    void topicWithoutAccessWord_isReadwrite() throws Exception {
        AclFile acl = acl("user bob", "topic a/b");
        assertThat(acl.canPublish(user("bob"), "a/b")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("bob"), "a/b")).isEqualTo(ALLOW);
    }

    @Test
    void deny_winsOverAGrant() throws Exception {
        AclFile acl = acl("user bob", "topic readwrite a/#", "topic deny a/secret");
        assertThat(acl.canRead(user("bob"), "a/open")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("bob"), "a/secret")).isEqualTo(DENY);
        assertThat(acl.canPublish(user("bob"), "a/secret")).isEqualTo(DENY);
    }

    @Test
    void filterCoveredByADenyRule_isGrantedOnSubscribeAndItsMessagesAreNotRead() throws Exception {
        AclFile acl = acl("user bob", "topic readwrite a/#", "topic deny a/secret/#");
        assertThat(acl.canSubscribe(user("bob"), "a/secret/#")).isEqualTo(ALLOW);
        assertThat(acl.canSubscribe(user("bob"), "a/secret/x")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("bob"), "a/secret/x")).isEqualTo(DENY);
    }

    @Test
    void denyAfterAGrant_stillWinsBecauseDenialsAreCheckedFirst() throws Exception {
        AclFile acl = acl("user bob", "topic read a/#", "topic deny a/b");
        assertThat(acl.canRead(user("bob"), "a/b")).isEqualTo(DENY);
        assertThat(acl.canRead(user("bob"), "a/c")).isEqualTo(ALLOW);
    }

    @Test
    void ownGrant_winsOverAPatternDeny() throws Exception {
        AclFile acl = acl("user bob", "topic read own/#", "pattern deny own/#");
        assertThat(acl.canRead(user("bob"), "own/x")).isEqualTo(ALLOW);
        assertThat(acl.canRead(user("alice"), "own/x")).isEqualTo(DENY);
    }

    @Test
    void ownGrantOfOtherAccess_fallsThroughToThePatterns() throws Exception {
        AclFile acl = acl("user bob", "topic read a/#", "pattern write a/%u");
        assertThat(acl.canPublish(user("bob"), "a/bob")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(user("bob"), "a/x")).isEqualTo(DENY);
    }

    @Test
    void clientIdOrUsernameWithWildcards_getsNothingFromPatternsButKeepsItsOwnRules() throws Exception {
        AclFile acl = acl("topic readwrite anon/#", "user bob", "topic readwrite b/#", "pattern readwrite p/#");
        assertThat(acl.canPublish(new ClientIdentity("x+", null), "p/1")).isEqualTo(DENY);
        assertThat(acl.canPublish(new ClientIdentity("x+", null), "anon/1")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(new ClientIdentity("y#", "bob"), "p/1")).isEqualTo(DENY);
        assertThat(acl.canPublish(new ClientIdentity("y#", "bob"), "b/1")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(new ClientIdentity("ok", "a+b"), "p/1")).isEqualTo(DENY);
        assertThat(acl.canPublish(new ClientIdentity("ok", null), "p/1")).isEqualTo(ALLOW);
    }

    @Test
    void clientIdWithSlash_doesNotGetAPatternThatSubstitutesIt_butGetsTheOthers() throws Exception {
        AclFile acl = acl("pattern readwrite p/%c/#", "pattern write q/#");
        assertThat(acl.canPublish(new ClientIdentity("x/y", null), "p/x/y/z")).isEqualTo(DENY);
        assertThat(acl.canPublish(new ClientIdentity("x/y", null), "q/a")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(new ClientIdentity("x", null), "p/x/z")).isEqualTo(ALLOW);
    }

    @Test
    void emptyUsername_isSubstitutedAsItIs() throws Exception {
        AclFile acl = acl("pattern readwrite u/%u/#");
        assertThat(acl.canPublish(new ClientIdentity("c", ""), "u//x")).isEqualTo(ALLOW);
    }

    @Test
    void dollarTopic_isMatchedOnlyByRulesStartingWithDollar() throws Exception {
        AclFile acl = acl("user bob", "topic read #", "topic read +/broker/x", "user alice", "topic read $SYS/#");
        assertThat(acl.canRead(user("bob"), "$SYS/broker/x")).isEqualTo(DENY);
        assertThat(acl.canRead(user("alice"), "$SYS/broker/x")).isEqualTo(ALLOW);
    }

    @Test
    void patterns_applyToEveryClientWithClientIdAndUsername() throws Exception {
        AclFile acl = acl("pattern readwrite users/%u/#", "pattern read devices/%c/status");
        assertThat(acl.canPublish(user("bob"), "users/bob/x")).isEqualTo(ALLOW);
        assertThat(acl.canPublish(user("bob"), "users/alice/x")).isEqualTo(DENY);
        assertThat(acl.canRead(new ClientIdentity("dev1", null), "devices/dev1/status")).isEqualTo(ALLOW);
        assertThat(acl.canRead(new ClientIdentity("dev1", null), "devices/dev2/status")).isEqualTo(DENY);
    }

    @Test
    void usernameWithWildcardsOrSlash_neverReachesAnotherUsersTopics() throws Exception {
        AclFile acl = acl("pattern readwrite users/%u/#");
        for (String sneaky : List.of("#", "+", "a/#", "a/b", "x+")) {
            ClientIdentity who = new ClientIdentity("c", sneaky);
            assertThat(acl.canRead(who, "users/bob/x")).as(sneaky).isEqualTo(DENY);
            assertThat(acl.canPublish(who, "users/bob/x")).as(sneaky).isEqualTo(DENY);
        }
    }

    @Test
    void clientIdWithWildcards_neverWidensAPattern() throws Exception {
        AclFile acl = acl("pattern readwrite devices/%c/#");
        ClientIdentity sneaky = new ClientIdentity("+", null);
        assertThat(acl.canRead(sneaky, "devices/other/x")).isEqualTo(DENY);
    }

    @Test
    void placeholderInsideAValue_isNotSubstitutedAgain() throws Exception {
        AclFile acl = acl("pattern readwrite d/%c/%u");
        assertThat(acl.canRead(new ClientIdentity("%u", "bob"), "d/bob/bob")).isEqualTo(DENY);
        assertThat(acl.canRead(new ClientIdentity("%u", "bob"), "d/%u/bob")).isEqualTo(ALLOW);
    }

    @Test
    void usernamePatternForAnAnonymousClient_neverMatches() throws Exception {
        AclFile acl = acl("pattern readwrite users/%u/#");
        assertThat(acl.canRead(ANONYMOUS, "users/null/x")).isEqualTo(DENY);
    }

    @Test
    void emptyFile_deniesEverything() throws Exception {
        AclFile acl = acl();
        assertThat(acl.canPublish(user("bob"), "a")).isEqualTo(DENY);
        assertThat(acl.canRead(ANONYMOUS, "a")).isEqualTo(DENY);
    }

    @Test
    void commentOnlyFile_deniesEverything() throws Exception {
        AclFile acl = acl("# nothing here", "", "   # indented comment");
        assertThat(acl.canPublish(user("bob"), "a")).isEqualTo(DENY);
    }

    @Test
    void unknownKeyword_isAnErrorWithFileAndLine() {
        assertThatThrownBy(() -> acl("user bob", "topik read a")).isInstanceOf(AclFileException.class)
                .hasMessageStartingWith("Error: aclfile:2:");
    }

    @Test
    void missingTopic_isAnError() {
        assertThatThrownBy(() -> acl("topic read")).hasMessageStartingWith("Error: aclfile:1:")
                .hasMessageContaining("Missing topic");
    }

    @Test
    void invalidFilter_isAnError() {
        assertThatThrownBy(() -> acl("", "topic read a/#/b")).hasMessageStartingWith("Error: aclfile:2:")
                .hasMessageContaining("a/#/b");
    }

    @Test
    void userWithoutName_isAnError() {
        assertThatThrownBy(() -> acl("user")).hasMessageStartingWith("Error: aclfile:1:");
    }

    @Test
    void fileOnDisk_isRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("aclfile");
        Files.writeString(file, "user ceshi\ntopic write V222/#\n");
        AclFile acl = AclFile.read(file);
        assertThat(acl.canPublish(user("ceshi"), "V222/x")).isEqualTo(ALLOW);
    }

    @Test
    void missingFile_isAnErrorNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("nope");
        assertThatThrownBy(() -> AclFile.read(file)).hasMessageContaining(file.toString());
    }
}
