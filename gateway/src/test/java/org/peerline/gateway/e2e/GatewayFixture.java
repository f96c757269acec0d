package org.peerline.gateway.e2e;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.daemon.PeerlineConfig;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.provisioning.api.NewUser;

/** A real gateway on loopback, started in this JVM on free ports, with a fresh data directory. */
final class GatewayFixture implements AutoCloseable {
    static final String DOMAIN = "site-a.example";

    final int sipPort;
    final Path data;
    final Path configFile;
    final PeerlineConfig config;
    Peerline peerline;

    private GatewayFixture(int sipPort, Path data, Path configFile, PeerlineConfig config) {
        this.sipPort = sipPort;
        this.data = data;
        this.configFile = configFile;
        this.config = config;
    }

    /** Writes a config for {@code dir}, starts the gateway, and adds users alice (2001) and bob (2002). */
    static GatewayFixture start(Path dir, String extraSip) throws Exception {
        return start(dir, extraSip, "");
    }

    /** As above, with {@code extraTop} (whole top-level sections, e.g. {@code relay:}) added to the config. */
    static GatewayFixture start(Path dir, String extraSip, String extraTop) throws Exception {
        int port = freePort();
        Path cfgFile = dir.resolve("peerline.yaml");
        String yaml = "site: { name: site-a, domain: " + DOMAIN + " }\n"
                + "data: " + dir.resolve("data") + "\n"
                + "sip:\n  listen: [ \"udp:127.0.0.1:" + port + "\", \"tcp:127.0.0.1:" + port + "\" ]\n"
                + (extraSip == null ? "" : extraSip)
                + "admin: { listen: \"127.0.0.1:0\", https: \"127.0.0.1:0\" }\n"
                + extraTop;
        java.nio.file.Files.writeString(cfgFile, yaml);
        PeerlineConfig cfg = ConfigLoader.load(cfgFile);
        GatewayFixture f = new GatewayFixture(port, cfg.data(), cfgFile, cfg);
        f.peerline = Peerline.start(cfg, TimeSource.SYSTEM);
        f.peerline.provisioning().users().add(new NewUser("alice", "alice-secret", "2001", "Alice"));
        f.peerline.provisioning().users().add(new NewUser("bob", "bob-secret", "2002", "Bob"));
        return f;
    }

    /** Stops and starts the gateway again on the same data (a daemon restart). */
    void restart() throws Exception {
        peerline.close();
        peerline = Peerline.start(config, TimeSource.SYSTEM);
    }

    @Override
    public void close() {
        if (peerline != null) {
            peerline.close();
        }
    }

    /** A port free on 127.0.0.1 for both UDP and TCP right now. */
    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                try (DatagramSocket d = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                    return d.getLocalPort();
                } catch (IOException e) {
                    // taken for UDP; try another
                }
            }
        }
        throw new IOException("no free port found for UDP and TCP");
    }
}
