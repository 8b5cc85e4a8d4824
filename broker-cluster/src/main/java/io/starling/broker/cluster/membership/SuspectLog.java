package io.starling.broker.cluster.membership;

import java.util.Collection;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the members failure detection suspects, as VERIFY_SUSPECT2 below it confirms them (the
 * application's {@code Receiver} is never told of suspicions, only of the view that follows). Adds no
 * header and changes nothing that passes.
 */
final class SuspectLog extends Protocol {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterChannel.class);

    @Override
    public Object up(Event event) {
        if (event.getType() == Event.SUSPECT) {
            Collection<?> suspects = event.getArg();
            LOG.warn("Cluster members suspected (not heard from in time): {}.", suspects);
        }
        return up_prot.up(event);
    }
}
