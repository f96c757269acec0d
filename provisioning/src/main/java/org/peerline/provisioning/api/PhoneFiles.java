package org.peerline.provisioning.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.peerline.provisioning.phones.ProfileLine;
import org.peerline.provisioning.phones.ProfileRequest;
import org.peerline.provisioning.phones.ProfileSite;
import org.peerline.provisioning.phones.Profiles;
import org.peerline.provisioning.tftp.TftpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration files desk phones fetch by MAC address, over HTTP ({@code /provision/<file>}) and TFTP: the
 * vendor's file names (Yealink {@code <mac>.cfg}, Polycom {@code <mac>.cfg} and {@code <mac>-peerline.cfg}, Grandstream
 * {@code cfg<mac>.xml}, Cisco SPA {@code spa<mac>.xml}) rendered for the phone with that MAC: its lines' SIP
 * credentials (the phone's own password, see {@link Phone}), the box's SIP address, time zone and codecs.
 *
 * <p>An unknown MAC, a name that is no phone file, or a file of another vendor's form gets nothing. Each client
 * address may fetch {@value #BURST} files at once and then one every {@value #REFILL_MILLIS} ms, found or not, so
 * that guessing MAC addresses is slow (a vendor's 2^24 addresses take years).
 */
public final class PhoneFiles {
    /** Files a client may fetch in a burst (a phone booting asks for a handful). */
    public static final int BURST = 20;
    /** One more file per this many milliseconds, once the burst is spent. */
    public static final long REFILL_MILLIS = 2_000;
    private static final int MAX_TRACKED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(PhoneFiles.class);

    private final Phones phones;
    private final Users users;
    private final ProfileSite site;
    private final LongSupplier millis;
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    /** The outcome of a request. */
    public sealed interface Result permits Found, NotFound, Limited, Unauthorized {
    }

    /** The request did not authenticate as the phone whose file it asks for (HTTP digest). */
    public record Unauthorized() implements Result {
    }

    /** Decides, before anything about the file is revealed, whether a request may have it. */
    @FunctionalInterface
    public interface Gate {
        /**
         * Returns whether the request may fetch the file of {@code phone}.
         *
         * @param phone the phone the file name names, or null if there is none (answer as for a real phone, so
         *              that the answer does not tell which MACs exist)
         * @return true to serve the file (or 404 for no phone)
         */
        boolean admits(Phone phone);
    }

    /**
     * A phone's file.
     *
     * @param body        the file
     * @param contentType its media type
     * @param phone       the phone it is for
     */
    public record Found(byte[] body, String contentType, Phone phone) implements Result {
    }

    /** No such file (unknown MAC, not a phone file, another vendor's file). */
    public record NotFound() implements Result {
    }

    /** The client asked too often; try later. */
    public record Limited() implements Result {
    }

    /**
     * Creates the file service.
     *
     * @param phones the site's phones
     * @param users  the site's users (display names and extensions of the lines)
     * @param site   what every phone is told about the box
     * @param millis a millisecond clock (for the rate limit)
     */
    public PhoneFiles(Phones phones, Users users, ProfileSite site, LongSupplier millis) {
        this.phones = Objects.requireNonNull(phones, "phones");
        this.users = Objects.requireNonNull(users, "users");
        this.site = Objects.requireNonNull(site, "site");
        this.millis = Objects.requireNonNull(millis, "millis");
    }

    /**
     * Answers a phone's request for {@code name}.
     *
     * @param name   the file name as asked, e.g. {@code 00156512ab3c.cfg} (one leading {@code /} is ignored)
     * @param client the client's address, for the rate limit and the log
     * @return the file, or why not
     */
    public Result read(String name, InetAddress client) {
        return read(name, client, phone -> true);
    }

    /**
     * Answers a phone's request for {@code name} if {@code gate} admits it (HTTP digest per phone).
     *
     * @param name   the file name as asked
     * @param client the client's address
     * @param gate   decides from the named phone (or null) whether the request may proceed
     * @return the file, or why not
     */
    public Result read(String name, InetAddress client, Gate gate) {
        if (!admit(client)) {
            LOG.info("provisioning: {} asks too often; refused {}", client.getHostAddress(), name);
            return new Limited();
        }
        Optional<ProfileRequest> request = ProfileRequest.parse(name);
        Optional<Phone> phone = request.flatMap(r -> phones.find(r.mac()));
        if (!gate.admits(phone.orElse(null))) {
            LOG.debug("provisioning: {} asked for {} without the phone's credentials", client.getHostAddress(), name);
            return new Unauthorized();
        }
        if (phone.isEmpty()) {
            LOG.debug("provisioning: {} asked for {}: no such phone file", client.getHostAddress(), name);
            return new NotFound();
        }
        Phone p = phone.get();
        Optional<byte[]> body = Profiles.render(request.get(), p.vendor(), p.model(), lines(p), site);
        if (body.isEmpty()) {
            LOG.debug("provisioning: {} asked for {}: not a file {} phones use", client.getHostAddress(), name,
                    p.vendor().id());
            return new NotFound();
        }
        LOG.info("provisioning: sent {} ({} bytes) to {} for phone {} ({})", name, body.get().length,
                client.getHostAddress(), p.displayMac(), p.vendor().id());
        return new Found(body.get(), Profiles.contentType(request.get().kind()), p);
    }

    /**
     * Serves these files over TFTP (read-only; RFC 1350 with the blksize, tsize and timeout options) at
     * {@code listen}, for phones told by DHCP option 66 to fetch them there. Close the result to stop.
     *
     * @param listen the address to bind, usually port 69
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public AutoCloseable serveTftp(InetSocketAddress listen) throws IOException {
        return TftpServer.start(listen, (name, client) -> read(name, client.getAddress()) instanceof Found found
                ? Optional.of(found.body()) : Optional.empty());
    }

    private List<ProfileLine> lines(Phone phone) {
        List<ProfileLine> lines = new ArrayList<>(phone.lines().size());
        for (String name : phone.lines()) {
            Optional<User> user = users.find(name);
            lines.add(new ProfileLine(name, phone.password(), user.map(User::displayName).orElse(null),
                    user.map(User::extension).orElse(null)));
        }
        return lines;
    }

    private boolean admit(InetAddress client) {
        long now = millis.getAsLong();
        if (buckets.size() > MAX_TRACKED) {
            buckets.values().removeIf(b -> b.full(now));
        }
        return buckets.computeIfAbsent(client, k -> new Bucket(now)).take(now);
    }

    /** A token bucket of {@link #BURST} tokens refilled one per {@link #REFILL_MILLIS}. */
    private static final class Bucket {
        private double tokens = BURST;
        private long last;

        Bucket(long now) {
            this.last = now;
        }

        synchronized boolean take(long now) {
            refill(now);
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= BURST;
        }

        private void refill(long now) {
            tokens = Math.min(BURST, tokens + (now - last) / (double) REFILL_MILLIS);
            last = now;
        }
    }
}
