package org.peerline.overlay.api;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A Peerline box's membership in the overlay, as the gateway uses it: asynchronous, thread-safe, no netty
 * types. Create one with {@code org.peerline.overlay.OverlayPeer.start}.
 */
public interface Overlay extends AutoCloseable {
    /** This box's Node-ID (from its certificate). */
    NodeId nodeId();

    /** Where peers reach this box's overlay links. */
    PeerAddress address();

    /** Joins through the first bootstrap peer that answers, or starts a new overlay with none. */
    CompletableFuture<Void> join(List<PeerAddress> bootstrap);

    /** Leaves gracefully (neighbours are told) and closes every link. */
    CompletableFuture<Void> leave();

    /**
     * Publishes that this box serves {@code aor} and can be reached at {@code uri} (RFC 7904 SIP-REGISTRATION,
     * keyed by this box's Node-ID); the overlay drops it after {@code lifetime} unless published again.
     * Fails if this box's certificate does not name the AOR's domain.
     */
    CompletableFuture<Void> publish(String aor, String uri, Duration lifetime);

    /** Withdraws this box's registration of {@code aor}. */
    CompletableFuture<Void> unpublish(String aor);

    /** The boxes that serve {@code aor} and where (empty if none); records failing access control are dropped. */
    CompletableFuture<List<Registration>> lookup(String aor);

    /** The path a lookup of {@code aor} takes, hop by hop, the responsible peer last. */
    CompletableFuture<List<Hop>> trace(String aor);

    /** The peers this box knows alive right now (its neighbours and fingers, itself included). */
    Set<NodeId> members();

    /** Called (on an overlay thread) with the new member set whenever it changes. */
    void onMembersChanged(Consumer<Set<NodeId>> listener);

    @Override
    void close();

    /** A box serving an AOR, and the URI it gave. */
    record Registration(NodeId box, String uri) {
    }

    /** One step of a traced lookup. */
    record Hop(NodeId peer, long rttMillis) {
    }
}
