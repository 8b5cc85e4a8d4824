package io.starling.mqtt.tools.bench;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks the publishers' streams one subscriber receives: every sequence number from 0 to the highest
 * seen should arrive once, in order. A number above the next expected one leaves a gap (counted as lost
 * until the missing message turns up); one seen before is a duplicate; a missing one arriving late is
 * reordered (and no longer lost). Messages lost after the last one received cannot be seen here: the
 * caller compares counts with what was sent.
 *
 * <p>Threading: the subscriber's event loop only; read the totals after the connection closed.
 */
final class StreamCheck {
    private static final class Stream {
        final long id;
        final BitSet seen = new BitSet();
        int highest = -1;

        Stream(long id) {
            this.id = id;
        }
    }

    private final Map<Long, Stream> streams = new HashMap<>();
    /** The last stream of each publisher index modulo 64, to skip the map (and boxing) per message. */
    private final Stream[] recent = new Stream[64];
    private long lost;
    private long duplicates;
    private long reordered;

    void record(long streamId, int sequence) {
        if (sequence < 0) {
            return;
        }
        Stream s = stream(streamId);
        if (sequence > s.highest) {
            lost += sequence - s.highest - 1;
            s.highest = sequence;
            s.seen.set(sequence);
        } else if (s.seen.get(sequence)) {
            duplicates++;
        } else {
            reordered++;
            lost--;
            s.seen.set(sequence);
        }
    }

    private Stream stream(long id) {
        int slot = PayloadStamp.publisherOf(id) & (recent.length - 1);
        Stream s = recent[slot];
        if (s != null && s.id == id) {
            return s;
        }
        s = streams.computeIfAbsent(id, Stream::new);
        recent[slot] = s;
        return s;
    }

    int streams() {
        return streams.size();
    }

    /** Messages missing below the highest sequence number of their stream. */
    long lost() {
        return lost;
    }

    long duplicates() {
        return duplicates;
    }

    long reordered() {
        return reordered;
    }
}
