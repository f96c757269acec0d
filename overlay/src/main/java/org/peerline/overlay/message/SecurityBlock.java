package org.peerline.overlay.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The security block that ends every RELOAD message (RFC 6940 §6.3.4): certificates the receiver may
 * need, and the sender's signature over overlay, transaction id, message contents and signer identity.
 *
 * @param certificates {@code GenericCertificate certificates<0..2^16-1>}
 * @param signature    the signature
 */
public record SecurityBlock(List<Certificate> certificates, Signature signature) {
    public SecurityBlock {
        certificates = List.copyOf(certificates);
    }

    /** {@code CertificateType}: X.509 (0). */
    public static final int X509 = 0;
    /** {@code SignerIdentityType} values. */
    public static final int IDENTITY_CERT_HASH = 1;
    public static final int IDENTITY_CERT_HASH_NODE_ID = 2;
    public static final int IDENTITY_NONE = 3;
    /** TLS 1.2 HashAlgorithm and SignatureAlgorithm numbers (RFC 5246 §7.4.1.4.1). */
    public static final int HASH_NONE = 0;
    public static final int HASH_SHA256 = 4;
    public static final int SIG_ANONYMOUS = 0;
    public static final int SIG_RSA = 1;
    public static final int SIG_ECDSA = 3;

    /** A certificate ({@code GenericCertificate}). */
    public record Certificate(int type, byte[] der) {
        public Certificate {
            der = der.clone();
        }

        @Override
        public byte[] der() {
            return der.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Certificate c && c.type == type && Arrays.equals(der, c.der);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(der);
        }
    }

    /**
     * Who signed ({@code SignerIdentity}): for the cert_hash types, the hash algorithm and the hash of
     * the signer's certificate; for none, nothing.
     */
    public record SignerIdentity(int type, int hashAlgorithm, byte[] hash) {
        public SignerIdentity {
            hash = hash.clone();
        }

        public static final SignerIdentity NONE = new SignerIdentity(IDENTITY_NONE, 0, new byte[0]);

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SignerIdentity s && s.type == type && s.hashAlgorithm == hashAlgorithm
                    && Arrays.equals(hash, s.hash);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * type + hashAlgorithm) + Arrays.hashCode(hash);
        }

        /** The encoded structure, which is also part of the signature input. */
        byte[] encode() {
            WireWriter v = new WireWriter();
            if (type == IDENTITY_CERT_HASH || type == IDENTITY_CERT_HASH_NODE_ID) {
                v.u8(hashAlgorithm).opaque(1, hash);
            }
            byte[] value = v.toByteArray();
            return new WireWriter().u8(type).u16(value.length).bytes(value).toByteArray();
        }

        static SignerIdentity read(WireReader r) throws DecodeException {
            int type = r.u8("identity_type");
            WireReader v = r.sub(r.u16("identity length"), "identity");
            SignerIdentity id;
            if (type == IDENTITY_CERT_HASH || type == IDENTITY_CERT_HASH_NODE_ID) {
                id = new SignerIdentity(type, v.u8("hash_alg"), v.opaque(1, "certificate hash"));
            } else if (type == IDENTITY_NONE) {
                id = NONE;
            } else {
                throw new DecodeException("unknown signer identity type " + type);
            }
            v.expectEnd("signer identity");
            return id;
        }
    }

    /** {@code Signature}: algorithm pair, signer identity, signature value. */
    public record Signature(int hashAlgorithm, int signatureAlgorithm, SignerIdentity identity, byte[] value) {
        public Signature {
            value = value.clone();
        }

        /** The empty signature of an unsigned message (algorithms none/anonymous, identity none). */
        public static final Signature NONE = new Signature(HASH_NONE, SIG_ANONYMOUS, SignerIdentity.NONE, new byte[0]);

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Signature s && s.hashAlgorithm == hashAlgorithm
                    && s.signatureAlgorithm == signatureAlgorithm && s.identity.equals(identity)
                    && Arrays.equals(value, s.value);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * hashAlgorithm + signatureAlgorithm) + Arrays.hashCode(value);
        }
    }

    byte[] encode() {
        WireWriter certs = new WireWriter();
        for (Certificate c : certificates) {
            certs.u8(c.type).opaque(2, c.der);
        }
        WireWriter w = new WireWriter();
        w.opaque(2, certs.toByteArray());
        w.u8(signature.hashAlgorithm).u8(signature.signatureAlgorithm).bytes(signature.identity.encode())
                .opaque(2, signature.value);
        return w.toByteArray();
    }

    static SecurityBlock read(WireReader r) throws DecodeException {
        WireReader cr = new WireReader(r.opaque(2, "certificates"));
        List<Certificate> certs = new ArrayList<>();
        while (cr.remaining() > 0) {
            certs.add(new Certificate(cr.u8("certificate type"), cr.opaque(2, "certificate")));
        }
        int hash = r.u8("hash algorithm");
        int sig = r.u8("signature algorithm");
        SignerIdentity id = SignerIdentity.read(r);
        return new SecurityBlock(certs, new Signature(hash, sig, id, r.opaque(2, "signature_value")));
    }
}
