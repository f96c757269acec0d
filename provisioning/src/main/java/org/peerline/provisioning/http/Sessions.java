package org.peerline.provisioning.http;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The admin page's login sessions, in memory (a restart logs everyone out): a random 256-bit id in an HttpOnly,
 * Secure, SameSite=Strict cookie. A session ends after {@link #IDLE_MILLIS} without requests or
 * {@link #MAX_MILLIS} after login. Failed logins are counted per address: after {@link #MAX_FAILURES} within
 * {@link #LOCKOUT_MILLIS}, the address must wait that long.
 */
final class Sessions {
    static final String COOKIE = "peerline_session";
    static final long IDLE_MILLIS = 30 * 60_000L;
    static final long MAX_MILLIS = 12 * 3600_000L;
    static final int MAX_FAILURES = 5;
    static final long LOCKOUT_MILLIS = 60_000L;
    private static final int MAX_SESSIONS = 1_000;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final LongSupplier millis;

    private record Session(long created, long lastUsed) {
    }

    private record Failures(int count, long since) {
    }

    Sessions(LongSupplier millis) {
        this.millis = millis;
    }

    /** Starts a session and returns its id (the cookie's value). */
    String create() {
        long now = millis.getAsLong();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> expired(s, now));
        }
        byte[] id = new byte[32];
        random.nextBytes(id);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        sessions.put(token, new Session(now, now));
        return token;
    }

    /** Returns whether {@code cookieHeader} (a request's Cookie header, may be null) carries a live session. */
    boolean valid(String cookieHeader) {
        String id = cookie(cookieHeader);
        if (id == null) {
            return false;
        }
        long now = millis.getAsLong();
        Session s = sessions.get(id);
        if (s == null || expired(s, now)) {
            sessions.remove(id);
            return false;
        }
        sessions.put(id, new Session(s.created(), now));
        return true;
    }

    /** Ends the session of {@code cookieHeader}, if any. */
    void end(String cookieHeader) {
        String id = cookie(cookieHeader);
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Returns the milliseconds {@code address} must still wait before trying a password, 0 if none. */
    long lockedFor(String address) {
        Failures f = failures.get(address);
        if (f == null || f.count() < MAX_FAILURES) {
            return 0;
        }
        long left = f.since() + LOCKOUT_MILLIS - millis.getAsLong();
        if (left <= 0) {
            failures.remove(address);
            return 0;
        }
        return left;
    }

    /** Counts a wrong password from {@code address}. */
    void failed(String address) {
        long now = millis.getAsLong();
        if (failures.size() > 10_000) {
            failures.values().removeIf(f -> f.since() + LOCKOUT_MILLIS < now);
        }
        failures.merge(address, new Failures(1, now), (old, one) -> old.since() + LOCKOUT_MILLIS < now
                ? one : new Failures(old.count() + 1, now));
    }

    /** Forgets the failures of {@code address} after a good password. */
    void succeeded(String address) {
        failures.remove(address);
    }

    /** The Set-Cookie value that starts a session ({@code secure}: only over HTTPS). */
    static String setCookie(String id, boolean secure) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + MAX_MILLIS / 1000
                + (secure ? "; Secure" : "");
    }

    /** The Set-Cookie value that ends it. */
    static String clearCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    private static boolean expired(Session s, long now) {
        return now - s.lastUsed() > IDLE_MILLIS || now - s.created() > MAX_MILLIS;
    }

    private static String cookie(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }
}
