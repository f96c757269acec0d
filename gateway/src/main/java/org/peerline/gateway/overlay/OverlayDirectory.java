package org.peerline.gateway.overlay;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.peerline.gateway.sip.Directory;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;

/** The federation's directory as the proxy sees it: lookups in the overlay (RFC 7904 records, global extensions). */
public final class OverlayDirectory implements Directory {
    /** RELOAD's Application-ID for SIP over TLS (its IANA port), in AppAttach. */
    public static final int SIPS = 5061;

    private final Overlay overlay;
    private final ExtensionPublisher extensions;
    private final PeerAddress sipAddress;
    private final RelayOffering relays;

    /**
     * @param sipAddress where other boxes reach this box's SIP-over-TLS socket: offered in AppAttach requests
     * @param relays     the federation's relay offers, for calls between boxes that cannot reach each other
     */
    public OverlayDirectory(Overlay overlay, ExtensionPublisher extensions, PeerAddress sipAddress,
                            RelayOffering relays) {
        this.overlay = overlay;
        this.extensions = extensions;
        this.sipAddress = sipAddress;
        this.relays = relays;
    }

    @Override
    public CompletableFuture<Relay> relayFor(NodeId target) {
        return relays.choose(target);
    }

    private final java.util.concurrent.atomic.LongAdder lookups = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failedLookups = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lookupNanos = new java.util.concurrent.atomic.LongAdder();

    /** Overlay lookups of an AOR since start: {count, failed, total nanoseconds} (for /metrics). */
    public long[] lookupStats() {
        return new long[] {lookups.sum(), failedLookups.sum(), lookupNanos.sum()};
    }

    @Override
    public CompletableFuture<List<Box>> boxesFor(String aor) {
        NodeId self = overlay.nodeId();
        long start = System.nanoTime();
        return overlay.lookup(aor).whenComplete((rs, e) -> {
            lookups.increment();
            lookupNanos.add(System.nanoTime() - start);
            if (e != null) {
                failedLookups.increment();
            }
        }).thenApply(rs -> rs.stream().filter(r -> !r.box().equals(self))
                .map(r -> new Box(r.box(), r.uri())).distinct().toList());
    }

    @Override
    public CompletableFuture<List<String>> extension(String extension) {
        return overlay.lookupExtension(extension).thenApply(rs -> {
            List<String> aors = rs.stream().map(Overlay.Registration::uri).distinct().sorted().toList();
            extensions.conflict(extension, aors);
            return aors;
        });
    }

    @Override
    public CompletableFuture<Boolean> attach(NodeId node) {
        return overlay.appAttach(node, SIPS, List.of(sipAddress)).thenApply(Overlay.AppAttachResult::connected);
    }
}
