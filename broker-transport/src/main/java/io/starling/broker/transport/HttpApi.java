package io.starling.broker.transport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What an {@code http_api} listener serves, from the broker's parts; the server implements it.
 * Called on the listener's event loops: methods answer quickly or complete their future later, on
 * any thread.
 */
public interface HttpApi {

    /** The broker's metrics in Prometheus' text format (version 0.0.4). */
    String metrics();

    /** The current $SYS values, topic → value, as {@code /api/v1/systree} shows them. */
    CompletableFuture<Map<String, Long>> sysTree();

    /** Every listener of the broker, in config order. */
    List<Listener> listeners();

    /**
     * One page of the connected clients, by client id: the {@code limit} after the first {@code offset}.
     * Listed and sorted off the event loops; only the page's clients are read, each on its own loop.
     */
    CompletableFuture<ClientPage> clients(int offset, int limit);

    /**
     * One page of the topics that have a retained message and that {@code visible} accepts, with the
     * payload size, in the store's order (level by level, each level sorted): the {@code limit} after
     * the first {@code offset}. Computed off the event loops: a listing walks the whole store.
     */
    CompletableFuture<RetainedPage> retainedTopics(int offset, int limit, Predicate<String> visible);

    /**
     * The cluster as this node sees it, for {@code /api/v1/cluster}: a tree of maps, lists, strings,
     * numbers and booleans, written as JSON as it is; null for a broker without a cluster.
     */
    default CompletableFuture<Map<String, Object>> cluster() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The bridges ({@code connection} sections), for {@code /api/v1/bridges}: one map each (name, connected,
     * address, messagesSent, messagesReceived, connections); empty without bridges.
     */
    default List<Map<String, Object>> bridges() {
        return List.of();
    }

    /** The broker's version, e.g. "0.1.0". */
    String version();

    /** One listener, as mosquitto 2.1's {@code /api/v1/listeners} describes it. */
    record Listener(int port, String protocol, boolean tls, boolean mtls, boolean allowAnonymous) {
    }

    /** One connected client, as the console lists it. */
    record ConnectedClient(String clientId, String username, String address, String protocol, int keepAlive,
                           int subscriptions, int inflight, int queued) {
    }

    /** Part of the connected clients; {@code more} when others follow. */
    record ClientPage(List<ConnectedClient> clients, boolean more) {
    }

    /** A topic with a retained message. */
    record RetainedTopic(String topic, int bytes) {
    }

    /** Part of the retained topics; {@code more} when others follow. */
    record RetainedPage(List<RetainedTopic> topics, boolean more) {
    }
}
