package org.peerline.gateway.sip;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the federation's users are, as the proxy asks for them: the overlay in the daemon. Lookups complete
 * on another thread and never block the caller.
 */
public interface Directory {
    /**
     * The boxes serving {@code aor} ({@code sip:user@domain}), as the SIP URIs they take requests at, such as
     * {@code sip:192.0.2.20:5061;transport=tls}; empty when no box serves it.
     */
    CompletableFuture<List<String>> boxesFor(String aor);

    /**
     * The AORs that claim the federation-wide extension {@code extension}: none, one, or several when sites
     * claim the same number (a conflict the caller must not resolve by guessing).
     */
    CompletableFuture<List<String>> extension(String extension);
}
