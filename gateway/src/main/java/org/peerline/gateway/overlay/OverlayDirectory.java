package org.peerline.gateway.overlay;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.peerline.gateway.sip.Directory;
import org.peerline.overlay.api.Overlay;

/** The federation's directory as the proxy sees it: lookups in the overlay (RFC 7904 records, global extensions). */
public final class OverlayDirectory implements Directory {
    private final Overlay overlay;
    private final ExtensionPublisher extensions;

    public OverlayDirectory(Overlay overlay, ExtensionPublisher extensions) {
        this.overlay = overlay;
        this.extensions = extensions;
    }

    @Override
    public CompletableFuture<List<String>> boxesFor(String aor) {
        return overlay.lookup(aor).thenApply(rs -> rs.stream().map(Overlay.Registration::uri).distinct().toList());
    }

    @Override
    public CompletableFuture<List<String>> extension(String extension) {
        return overlay.lookupExtension(extension).thenApply(rs -> {
            List<String> aors = rs.stream().map(Overlay.Registration::uri).distinct().sorted().toList();
            extensions.conflict(extension, aors);
            return aors;
        });
    }
}
