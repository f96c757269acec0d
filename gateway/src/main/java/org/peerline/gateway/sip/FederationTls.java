package org.peerline.gateway.sip;

import gov.nist.core.net.SecurityManagerProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.peerline.overlay.security.Credentials;

/**
 * The keys of the box's SIP-over-TLS socket, where boxes of the federation send each other requests: the
 * box's federation certificate, and trust in the federation's CA alone, both ways (the stack is run with
 * {@code TLS_CLIENT_AUTH_TYPE=Enabled}, so a box without a certificate from that CA cannot even finish the
 * handshake). The stack creates this class by name ({@code gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER})
 * and gives it only its properties, so the credentials wait in {@link #register} under the stack's name.
 */
public final class FederationTls implements SecurityManagerProvider {
    static final String STACK_NAME = "javax.sip.STACK_NAME";
    private static final Map<String, Credentials> PENDING = new ConcurrentHashMap<>();
    private static final char[] NO_PASSWORD = new char[0];

    private KeyManager[] keys;
    private TrustManager[] trust;

    /** Called by the stack, which creates the provider by reflection. */
    public FederationTls() {
        // keys come in init()
    }

    /** Hands {@code credentials} to the provider the stack named {@code stackName} is about to create. */
    static void register(String stackName, Credentials credentials) {
        PENDING.put(stackName, credentials);
    }

    static void forget(String stackName) {
        PENDING.remove(stackName);
    }

    @Override
    public void init(Properties properties) throws GeneralSecurityException {
        Credentials c = PENDING.remove(properties.getProperty(STACK_NAME, ""));
        if (c == null) {
            return; // no federation: the stack then refuses to create a TLS listening point
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("box", c.key(), NO_PASSWORD, new Certificate[] {c.certificate(), c.ca()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, NO_PASSWORD);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("federation-ca", c.ca());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            keys = kmf.getKeyManagers();
            trust = tmf.getTrustManagers();
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot build the federation key store: " + e.getMessage(), e);
        }
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return keys;
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return trust;
    }
}
