package org.peerline.overlay.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.Collection;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.message.ReloadMessage;
import org.peerline.overlay.message.SecurityBlock;
import org.peerline.overlay.node.AccessControl;
import org.peerline.overlay.node.Security;
import org.peerline.overlay.usage.SipRegistration;
import org.peerline.overlay.chord.ChordTopology;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.Node;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.OverlayCa;
import org.peerline.overlay.security.X509Security;

/**
 * Real sockets: nodes in one JVM on loopback, linked by TLS 1.3 with certificates from the overlay's CA,
 * form a ring, store records, find each from another node, and still find every one after a third of
 * the nodes are killed without a word. A node whose certificate another CA issued cannot get in.
 */
@Timeout(180)
class TlsOverlayIT {
    private static final long KIND = 0xf0000001L;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Peer> peers = new ArrayList<>();

    private record Peer(Node node, TlsTransport transport, EventLoop loop) {
        <T> T call(Supplier<CompletableFuture<T>> f) throws Exception {
            CompletableFuture<T> out = new CompletableFuture<>();
            loop.execute(() -> f.get().whenComplete((v, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            }));
            return out.get(30, TimeUnit.SECONDS);
        }

        void kill() {
            loop.execute(() -> {
                transport.close();
                node.close();
            });
        }
    }

    @AfterEach
    void stop() throws Exception {
        peers.forEach(Peer::kill);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private Peer start(Credentials creds, List<PeerAddress> bootstrap) throws Exception {
        X509Security security = new X509Security(creds);
        return start(creds, bootstrap, security);
    }

    private Peer start(Credentials creds, List<PeerAddress> bootstrap, Security security) throws Exception {
        EventLoop loop = group.next();
        TlsTransport t = new TlsTransport(loop, creds, x509(security), new PeerAddress("127.0.0.1", 0));
        Node node = new Node(creds.nodeId(), new Node.Settings("tls.test", 2, 2000, 3,
                k -> k == KIND ? StorageBodies.DataModel.SINGLE : k == SipRegistration.KIND
                        ? StorageBodies.DataModel.DICTIONARY : null, SipRegistration.policy(AccessControl.ANY_SIGNER)),
                t, t, security,
                new ChordTopology(creds.nodeId(), ChordTopology.Settings.defaults()), new Random());
        t.listener(node);
        t.start().get(10, TimeUnit.SECONDS);
        Peer p = new Peer(node, t, loop);
        p.call(() -> node.join(bootstrap));
        peers.add(p);
        return p;
    }

    private static byte[] resource(int i) {
        byte[] r = new byte[16];
        new Random(i * 7919L).nextBytes(r);
        return r;
    }

    private static byte[] value(int i) {
        return ("sip:user" + i + "@site.example -> box " + i % 7).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRingOverTlsKeepsEveryRecordWhenAThirdOfItsNodesDie() throws Exception {
        OverlayCa ca = OverlayCa.generate("tls.test");
        Peer first = start(ca.issue("site-0", List.of("site-0.example"), Duration.ofDays(1)), List.of());
        PeerAddress boot = first.transport().localAddress();
        for (int i = 1; i < 15; i++) {
            start(ca.issue("site-" + i, List.of("site-" + i + ".example"), Duration.ofDays(1)), List.of(boot));
        }
        Thread.sleep(3000); // reactive Updates settle the ring
        Random rnd = new Random(1);
        int records = 200;
        for (int i = 0; i < records; i++) {
            int k = i;
            Peer p = peers.get(rnd.nextInt(peers.size()));
            p.call(() -> p.node().store(resource(k), KIND, List.of(StorageBodies.Value.single(value(k))), 600));
        }
        assertEquals(records, found(rnd), "every record found before the crash");
        assertTrue(copies(records) >= 3, "every record on the responsible peer and two replicas");

        // kill a third of the nodes (never the first: it is the bootstrap), with no Leave
        List<Peer> victims = new ArrayList<>(peers.subList(1, peers.size()));
        java.util.Collections.shuffle(victims, rnd);
        // one after another, a second and a half apart: each death closes its sockets, its neighbours see
        // the links drop at once and copy what it held to their new successors. (Three neighbours dying
        // in the same instant would take a record's three copies with them: the price of three copies.)
        for (Peer v : victims.subList(0, peers.size() / 3)) {
            v.kill();
            peers.remove(v);
            Thread.sleep(1500);
        }
        Thread.sleep(2000);
        assertTrue(copies(records) >= 3, "every record back to three copies");
        assertEquals(records, found(rnd), "every record found after a third of the nodes died");
    }

    /** The fewest copies any record has among the live peers. */
    private int copies(int records) throws Exception {
        Thread.sleep(1500); // replicas are pushed a moment after the neighbour sets settle
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < records; i++) {
            int k = i;
            int n = 0;
            for (Peer p : peers) {
                n += p.call(() -> CompletableFuture.completedFuture(p.node().holds(resource(k)))) ? 1 : 0;
            }
            min = Math.min(min, n);
        }
        return min;
    }

    private int found(Random rnd) throws Exception {
        int ok = 0;
        for (int i = 0; i < 200; i++) {
            int k = i;
            Peer p = peers.get(rnd.nextInt(peers.size()));
            Node.Fetched f = p.call(() -> p.node().fetch(resource(k),
                    List.of(StorageBodies.Specifier.all(KIND, StorageBodies.DataModel.SINGLE))));
            var values = f.kinds().get(0).values();
            if (values.size() == 1) {
                assertArrayEquals(value(k), values.get(0).value().data());
                ok++;
            }
        }
        return ok;
    }

    private static X509Security x509(Security s) {
        return s instanceof X509Security x ? x : ((Forger) s).real;
    }

    /** Signs stored data with its own key but names another box's certificate as the signer: a forged record. */
    private record Forger(X509Security real, SecurityBlock.SignerIdentity victim) implements Security {
        @Override
        public SecurityBlock signMessage(byte[] input, Collection<SecurityBlock.SignerIdentity> certs) {
            return real.signMessage(input, certs);
        }

        @Override
        public NodeId verifyMessage(ReloadMessage m) {
            return real.verifyMessage(m);
        }

        @Override
        public SecurityBlock.Signature signData(byte[] input) {
            SecurityBlock.Signature own = real.signData(input);
            return new SecurityBlock.Signature(own.hashAlgorithm(), own.signatureAlgorithm(), victim, own.value());
        }

        @Override
        public NodeId verifyData(byte[] input, SecurityBlock.Signature sig) {
            return real.verifyData(input, sig);
        }

        @Override
        public SecurityBlock.SignerIdentity identity() {
            return real.identity(); // its messages are its own; only the stored data claims the victim
        }

        @Override
        public List<String> domainsOf(SecurityBlock.SignerIdentity signer) {
            return real.domainsOf(signer);
        }

        @Override
        public boolean isLinkPeer(NodeId peer, SecurityBlock.SignerIdentity signer) {
            return real.isLinkPeer(peer, signer);
        }

        @Override
        public void learnCertificates(ReloadMessage m) {
            real.learnCertificates(m);
        }
    }

    @Test
    void onlyTheBoxThatServesADomainCanPublishItsUsersAndForgeriesAreRefused() throws Exception {
        OverlayCa ca = OverlayCa.generate("tls.test");
        Credentials a = ca.issue("site-a", List.of("a.example"), Duration.ofDays(1));
        Credentials b = ca.issue("site-b", List.of("b.example"), Duration.ofDays(1));
        Peer boxA = start(a, List.of());
        PeerAddress boot = boxA.transport().localAddress();
        Peer boxB = start(b, List.of(boot));
        Peer boxC = start(ca.issue("site-c", List.of("c.example"), Duration.ofDays(1)), List.of(boot));
        X509Security realB = new X509Security(b);
        Credentials d = ca.issue("site-d", List.of("d.example"), Duration.ofDays(1));
        Peer forger = start(d, List.of(boot), new Forger(new X509Security(d), new X509Security(a).identity()));
        Thread.sleep(2000);
        String aor = "sip:alice@a.example";
        byte[] rid = SipRegistration.resourceId(aor);
        var spec = List.of(new StorageBodies.Specifier(SipRegistration.KIND, 0, StorageBodies.DataModel.DICTIONARY,
                List.of(), List.of()));

        boxA.call(() -> boxA.node().store(rid, aor, SipRegistration.KIND,
                List.of(SipRegistration.entry(a.nodeId(), "sip:alice@192.0.2.1:5061;transport=tls")), 600));
        assertEquals(List.of("sip:alice@192.0.2.1:5061;transport=tls"), uris(boxC, rid, aor, spec));

        // box B does not serve a.example: refused whatever it tries
        assertRefused(boxB, rid, aor, SipRegistration.entry(b.nodeId(), "sip:alice@evil"), "does not name a.example");
        assertRefused(boxB, rid, aor, SipRegistration.entry(a.nodeId(), "sip:alice@evil"), "dictionary key");
        assertRefused(boxB, rid, null, SipRegistration.entry(b.nodeId(), "sip:alice@evil"), "must name its AOR");
        assertRefused(boxB, rid, "sip:alice@b.example", SipRegistration.entry(b.nodeId(), "sip:alice@evil"), "does not hash");
        // a record signed with another key but claiming box A's certificate: the signature does not verify
        Exception e = assertThrows(ExecutionException.class, () -> forger.call(() -> forger.node().store(rid, aor,
                SipRegistration.KIND, List.of(SipRegistration.entry(a.nodeId(), "sip:alice@forged")), 600)));
        assertTrue(e.getCause().getMessage().contains("FORBIDDEN") && e.getCause().getMessage().contains("bad signature"),
                e.getCause().getMessage());

        assertEquals(List.of("sip:alice@192.0.2.1:5061;transport=tls"), uris(boxC, rid, aor, spec),
                "only box A's record, from any box");
        assertTrue(realB.domainsOf(realB.identity()).contains("b.example"));
    }

    private static void assertRefused(Peer p, byte[] rid, String aor, StorageBodies.Value v, String why) {
        Exception e = assertThrows(ExecutionException.class,
                () -> p.call(() -> p.node().store(rid, aor, SipRegistration.KIND, List.of(v), 600)));
        assertTrue(e.getCause().getMessage().contains("FORBIDDEN") && e.getCause().getMessage().contains(why),
                e.getCause().getMessage());
    }

    private static List<String> uris(Peer p, byte[] rid, String aor, List<StorageBodies.Specifier> spec) throws Exception {
        Node.Fetched f = p.call(() -> p.node().fetch(rid, aor, spec));
        List<String> out = new ArrayList<>();
        for (var sd : f.kinds().get(0).values()) {
            out.add(SipRegistration.uriOf(sd.value().data()));
        }
        return out;
    }

    @Test
    void aNodeWithACertificateFromAnotherCaCannotJoin() throws Exception {
        OverlayCa ca = OverlayCa.generate("tls.test");
        Peer first = start(ca.issue("site-0", List.of("site-0.example"), Duration.ofDays(1)), List.of());
        OverlayCa rogue = OverlayCa.generate("tls.test");
        Credentials forged = rogue.issue("intruder", List.of("site-0.example"), Duration.ofDays(1));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> start(forged, List.of(first.transport().localAddress())));
        assertTrue(e.getCause().getMessage().contains("no bootstrap peer answered"), e.getCause().getMessage());
        assertEquals(0, first.transport().linkCount(), "the intruder has no link to the overlay");
    }
}
