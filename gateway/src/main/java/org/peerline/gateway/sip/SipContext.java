package org.peerline.gateway.sip;

import java.net.InetAddress;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ServerHeader;
import javax.sip.message.MessageFactory;
import org.peerline.gateway.Daemons;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.gateway.routing.Cidr;
import org.peerline.gateway.routing.Nonces;
import org.peerline.gateway.routing.RecentRequests;
import org.peerline.gateway.routing.RouteSigner;
import org.peerline.gateway.routing.SourceGuard;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.Users;

/** What every SIP handler shares: settings, factories, the box's sockets, users, bindings and guards. */
final class SipContext {
    static final String SERVER = "Peerline/0.1";
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, UPDATE, PRACK, REFER, NOTIFY,"
            + " SUBSCRIBE, REGISTER";

    final SipSettings settings;
    final Users users;
    final BindingTable bindings;
    final TimeSource time;
    final MessageFactory messages;
    final HeaderFactory headers;
    final AddressFactory addresses;
    final LocalEndpoints local;
    final Nonces nonces;
    final SourceGuard guard;
    final RouteSigner routes;
    /** REGISTERs answered lately, so that a retransmission gets the same answer (no transaction holds it). */
    final RecentRequests recentRegisters = new RecentRequests();
    /** Timers of the proxy (Timer C) and housekeeping; one thread, tasks must be short. */
    final ScheduledExecutorService timers;
    /** The Server header of every response, parsed once; responses get a clone. */
    final ServerHeader server;
    /** Who is at the other end of a federation TLS link; null when the box is in no federation. */
    volatile FederationPeers federation;
    /** The connections other boxes opened to this one, as ways back to them. */
    final FederationFlows flows = new FederationFlows();
    /**
     * Where requests leave for other boxes once the overlay has answered: not the overlay's thread, nor the
     * housekeeping one, since opening a connection to a box that vanished blocks for the connect timeout.
     */
    final java.util.concurrent.ExecutorService outbound = java.util.concurrent.Executors.newFixedThreadPool(4, Daemons.named("sip-to-boxes"));
    /** The media of proxied calls, through the box's relay; null when the box relays no media. */
    volatile MediaSessions media;
    /** Where the federation's other users are; null until the box has joined one. */
    volatile Directory directory;
    /** The site's desk phones, whose own passwords register their lines; null: users' passwords only. */
    volatile org.peerline.provisioning.api.Phones phones;

    SipContext(SipSettings settings, Users users, BindingTable bindings, TimeSource time, MessageFactory messages,
               HeaderFactory headers, AddressFactory addresses, LocalEndpoints local, Nonces nonces,
               SourceGuard guard, RouteSigner routes, ScheduledExecutorService timers) {
        this.settings = settings;
        this.users = users;
        this.bindings = bindings;
        this.time = time;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.local = local;
        this.nonces = nonces;
        this.guard = guard;
        this.routes = routes;
        this.timers = timers;
        try {
            this.server = headers.createServerHeader(List.of(SERVER));
        } catch (ParseException e) {
            throw new IllegalStateException("bad Server header " + SERVER, e);
        }
    }

    /** True if requests from {@code address} skip authentication and rate limits. */
    boolean trusted(InetAddress address) {
        for (Cidr c : settings.trusted()) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code host} is the site's domain or one of the box's addresses. */
    boolean isOurDomain(String host) {
        return host != null && (host.toLowerCase(Locale.ROOT).equals(settings.domain()) || local.isLocal(host));
    }

    /** The site user a user-part names, by user name or by extension. */
    Optional<User> user(String userPart) {
        if (userPart == null || userPart.isEmpty()) {
            return Optional.empty();
        }
        Optional<User> u = users.find(userPart);
        return u.isPresent() ? u : users.findByExtension(userPart);
    }

    /** True if {@code userPart} names {@code user} by name or extension. */
    static boolean names(User user, String userPart) {
        return user.name().equals(userPart) || userPart != null && userPart.equals(user.extension());
    }

    /** The canonical address-of-record of a site user. */
    String aor(User user) {
        return "sip:" + user.name() + "@" + settings.domain();
    }
}
