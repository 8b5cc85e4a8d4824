package io.starling.broker.core.store;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import java.util.List;
import java.util.concurrent.Executor;

/** {@link SessionStore#NONE}: keeps nothing, so the broker's in-memory state is all there is. */
final class NoSessionStore implements SessionStore {
    @Override
    public boolean isDurable() {
        return false;
    }

    @Override
    public void saveSession(StoredSession session) {
    }

    @Override
    public void deleteSession(String clientId) {
    }

    @Override
    public void saveSubscription(String clientId, String filter, SubscriberOptions options) {
    }

    @Override
    public void deleteSubscription(String clientId, String filter) {
    }

    @Override
    public void saveOutgoing(String clientId, long seq, Delivery delivery) {
    }

    @Override
    public void saveOutgoingSent(String clientId, long seq, Delivery delivery, int packetId) {
    }

    @Override
    public void saveOutgoingReleased(String clientId, long seq, int packetId, Message message) {
    }

    @Override
    public void deleteOutgoing(String clientId, long seq, Message message) {
    }

    @Override
    public void saveIncomingQos2(String clientId, int packetId, Message message) {
    }

    @Override
    public void deleteIncomingQos2(String clientId, int packetId) {
    }

    @Override
    public void saveRetained(Message message) {
    }

    @Override
    public void deleteRetained(String topic) {
    }

    @Override
    public void saveWill(String clientId, Message will, long publishAtMillis) {
    }

    @Override
    public void deleteWill(String clientId) {
    }

    @Override
    public void afterDurable(Executor executor, Commit task) {
        executor.execute(() -> task.done(true));
    }

    @Override
    public StoredState load() {
        return new StoredState(List.of(), List.of());
    }

    @Override
    public long diskBytes() {
        return 0;
    }

    @Override
    public void close() {
    }
}
