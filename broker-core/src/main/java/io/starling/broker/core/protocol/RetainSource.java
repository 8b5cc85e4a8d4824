package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.routing.Message;

/**
 * {@code check_retain_source} (mosquitto.conf(5)): a retained message is sent to a new subscriber
 * only while its publisher may still write its topic under the rules in force now (after a SIGHUP or
 * a restart; with per_listener_settings, the rules of the listener it published through). A message
 * that fails is skipped, not deleted: it comes back if the rules allow it again, as in mosquitto
 * 2.0.11 (measured, see {@code retain-source.scenarios}). The broker's own messages ({@code $SYS})
 * and messages stored without their publisher's listener (by a version that did not record it) are
 * not checked. Skips are counted ({@code notAuthorized} drops) and logged once per interval.
 */
final class RetainSource {
    private static final RateLimitedLog SKIPS = new RateLimitedLog();

    private RetainSource() {
    }

    /** Whether {@code m} may go to a new subscriber as far as its publisher is concerned. */
    static boolean mayStillWrite(BrokerCore core, Message m) {
        if (!core.settings().checkRetainSource() || !m.hasRecordedPublisher()) {
            return true;
        }
        SecurityRules rules = core.securityOfListener(m.publisherListener());
        ClientIdentity publisher = new ClientIdentity(m.publisherId(), m.publisherUsername());
        if (PublishAcl.permits(rules.authorizer(), publisher, m.topic())) {
            return true;
        }
        core.drops().notAuthorized.increment();
        SKIPS.warn(ProtocolLog.LOG, "Retained message on {} not sent: its publisher {} may no longer write it "
                + "(check_retain_source).", m.topic(), m.publisherId());
        return false;
    }
}
