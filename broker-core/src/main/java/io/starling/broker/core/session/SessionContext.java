package io.starling.broker.core.session;

import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.LiveSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.routing.SharedSubscriptions;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.time.Clock;
import io.starling.broker.core.topic.SubscriptionTree;

/** The broker-wide parts every session works with; one instance, shared by all sessions. */
public record SessionContext(LiveSettings liveSettings, DropCounters drops, BrokerCounters counters,
                             SubscriptionTree<Subscriber, SubscriberOptions> tree, SharedSubscriptions shared,
                             Clock clock, SessionStore store) {
    /** Fixed settings (tests, tools): nothing reloads them. */
    public SessionContext(BrokerSettings settings, DropCounters drops, BrokerCounters counters,
                          SubscriptionTree<Subscriber, SubscriberOptions> tree, SharedSubscriptions shared,
                          Clock clock, SessionStore store) {
        this(new LiveSettings(settings), drops, counters, tree, shared, clock, store);
    }

    /** The settings in force now: a reload (SIGHUP) may replace them between two messages. */
    public BrokerSettings settings() {
        return liveSettings.get();
    }
}
