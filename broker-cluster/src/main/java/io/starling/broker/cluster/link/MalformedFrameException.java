package io.starling.broker.cluster.link;

/** A link frame that cannot be read: the link that sent it is closed, never the broker. */
public final class MalformedFrameException extends Exception {
    public MalformedFrameException(String message) {
        super(message);
    }
}
