package org.peerline.overlay.message;

/**
 * A whole RELOAD message (RFC 6940 §6.3): forwarding header, message contents, security block. Encoding
 * and decoding are exact: what {@link #decode} accepts re-encodes to the same bytes.
 */
public record ReloadMessage(ForwardingHeader header, MessageContents contents, SecurityBlock security) {
    /** Largest message this node encodes or accepts (RFC 6940 default max-message-size is 5000). */
    public static final int MAX_BYTES = 64 * 1024;

    public byte[] encode() {
        byte[] body = contents.encode();
        byte[] sec = security.encode();
        WireWriter probe = new WireWriter();
        header.write(probe, 0);
        long total = (long) probe.size() + body.length + sec.length;
        WireWriter w = new WireWriter();
        header.write(w, total);
        w.bytes(body).bytes(sec);
        return w.toByteArray();
    }

    /**
     * The bytes a sender signs and a receiver verifies (RFC 6940 §6.3.4): overlay (uint32), transaction id
     * (uint64), the encoded message contents, the encoded signer identity.
     */
    public byte[] signatureInput() {
        return new WireWriter().u32(header.overlay()).u64(header.transactionId()).bytes(contents.encode())
                .bytes(security.signature().identity().encode()).toByteArray();
    }

    public static ReloadMessage decode(byte[] bytes) throws DecodeException {
        if (bytes.length > MAX_BYTES) {
            throw new DecodeException("message of " + bytes.length + " bytes exceeds " + MAX_BYTES);
        }
        WireReader r = new WireReader(bytes);
        ForwardingHeader.Read h = ForwardingHeader.read(r);
        if (h.length() != bytes.length) {
            throw new DecodeException("header says " + h.length() + " bytes, message has " + bytes.length);
        }
        MessageContents contents = MessageContents.read(r);
        SecurityBlock security = SecurityBlock.read(r);
        r.expectEnd("message");
        return new ReloadMessage(h.header(), contents, security);
    }

    /** The transaction id, which ties an answer to its request. */
    public long transactionId() {
        return header.transactionId();
    }
}
