package io.starling.broker.auth.dynsec;

import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import java.util.function.Supplier;

/**
 * Dynamic security's ACL, on the rules in force ({@link AccessRules}): what the plugin does not allow
 * (it denies, or it has no answer) is denied, as mosquitto denies when every plugin defers. Thread-safe.
 */
final class DynsecAuthorizer implements Authorizer {
    private final Supplier<AccessRules> rules;

    DynsecAuthorizer(Supplier<AccessRules> rules) {
        this.rules = rules;
    }

    private static Access of(AccessRules.Answer answer) {
        return answer == AccessRules.Answer.ALLOW ? Access.ALLOW : Access.DENY;
    }

    @Override
    public Access canPublish(ClientIdentity client, String topic) {
        return of(rules.get().publishSend(client.username(), topic));
    }

    @Override
    public Access canRead(ClientIdentity client, String topic) {
        return of(rules.get().publishReceive(client.username(), topic));
    }

    @Override
    public Access canSubscribe(ClientIdentity client, String filter) {
        return of(rules.get().subscribe(client.username(), filter));
    }

    @Override
    public Access canUnsubscribe(ClientIdentity client, String filter) {
        return of(rules.get().unsubscribe(client.username(), filter));
    }

    @Override
    public Object decisions() {
        return rules.get();
    }
}
