package org.peerline.gateway.daemon;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.peerline.gateway.overlay.DnsPublishing;
import org.peerline.gateway.overlay.OverlayDirectory;
import org.peerline.gateway.routing.Binding;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.gateway.sip.SipEdge;
import org.peerline.overlay.api.Overlay;
import org.peerline.relay.MediaRelay;

/**
 * The box's metrics in Prometheus' text exposition format (version 0.0.4), served at {@code /metrics} on the
 * admin address: registrations, SIP transactions by method and answer, relayed calls and what their media
 * carried, the overlay's members, messages and lookups, and the DNS zone's updates. Every source is read when
 * scraped; nothing is kept for it.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final BindingTable bindings;
    private final TimeSource time;
    private final SipEdge sip;
    private final MediaRelay relay;
    private volatile Overlay overlay;
    private volatile OverlayDirectory directory;
    private volatile DnsPublishing dns;

    Metrics(BindingTable bindings, TimeSource time, SipEdge sip, MediaRelay relay) {
        this.bindings = bindings;
        this.time = time;
        this.sip = sip;
        this.relay = relay;
    }

    void overlay(Overlay overlay, OverlayDirectory directory) {
        this.overlay = overlay;
        this.directory = directory;
    }

    void dns(DnsPublishing dns) {
        this.dns = dns;
    }

    /** The exposition text now. */
    String scrape() {
        StringBuilder out = new StringBuilder(4096);
        List<Binding> all = bindings.all(time.millis());
        Set<String> aors = new HashSet<>();
        all.forEach(b -> aors.add(b.aor()));
        gauge(out, "peerline_registrations", "Addresses of record with at least one registered contact.", aors.size());
        gauge(out, "peerline_registration_contacts", "Registered contacts.", all.size());

        header(out, "peerline_sip_transactions_total", "SIP transactions answered, by method and status class.", "counter");
        List<String> methods = SipEdge.countedMethods();
        for (int m = 0; m < methods.size(); m++) {
            for (int c = 1; c <= 6; c++) {
                long n = SipEdge.transactions(m, c);
                if (n > 0) {
                    out.append("peerline_sip_transactions_total{method=\"").append(methods.get(m)).append("\",status=\"")
                            .append(c).append("xx\"} ").append(n).append('\n');
                }
            }
        }

        if (relay != null) {
            gauge(out, "peerline_relay_calls", "Calls whose media the relay carries now.", sip.relayedCalls().size());
            gauge(out, "peerline_relay_ports_in_use", "UDP ports the relay holds now.", relay.portsInUse());
            MediaRelay.Totals t = relay.totals();
            counter(out, "peerline_relay_streams_total", "Relayed media streams opened since start.", t.streams());
            header(out, "peerline_relay_packets_total", "Packets the relay received, by the side they came from.",
                    "counter");
            out.append("peerline_relay_packets_total{side=\"caller\"} ").append(t.packetsFromCallers()).append('\n');
            out.append("peerline_relay_packets_total{side=\"callee\"} ").append(t.packetsFromCallees()).append('\n');
            counter(out, "peerline_relay_bytes_total", "Bytes the relay received.", t.bytes());
            counter(out, "peerline_relay_lost_packets_total", "RTP packets lost on the way to the relay (sequence gaps).",
                    t.lost());
            counter(out, "peerline_relay_rejected_packets_total",
                    "Packets dropped for coming from another address than the call's.", t.rejected());
        }

        Overlay o = overlay;
        if (o != null) {
            gauge(out, "peerline_overlay_members", "Boxes this box knows in the overlay, itself included.",
                    o.members().size());
            try {
                Overlay.Status s = o.status().get(1, TimeUnit.SECONDS);
                gauge(out, "peerline_overlay_links", "Open overlay links.", s.links().size());
                gauge(out, "peerline_overlay_resources", "Resources this box stores.", s.resources());
                for (Map.Entry<String, Long> e : s.counters().entrySet()) {
                    String name = "peerline_overlay_" + snake(e.getKey()) + "_total";
                    counter(out, name, "Overlay counter " + e.getKey() + " since start.", e.getValue());
                }
            } catch (Exception e) {
                // the overlay did not answer in time: its gauges are left out of this scrape
            }
        }
        OverlayDirectory d = directory;
        if (d != null) {
            long[] l = d.lookupStats();
            counter(out, "peerline_overlay_lookups_total", "Lookups of an AOR in the overlay.", l[0]);
            counter(out, "peerline_overlay_lookup_failures_total", "Lookups that failed.", l[1]);
            header(out, "peerline_overlay_lookup_seconds_total", "Time spent in lookups (divide by the count for the"
                    + " mean latency).", "counter");
            out.append("peerline_overlay_lookup_seconds_total ").append(l[2] / 1e9).append('\n');
        }
        DnsPublishing p = dns;
        if (p != null) {
            long[] c = p.counts();
            counter(out, "peerline_dns_updates_total", "DNS zone updates written (or zone contents served).", c[0]);
            counter(out, "peerline_dns_update_failures_total", "DNS zone updates that failed.", c[1]);
            gauge(out, "peerline_dns_live_boxes", "Boxes the zone showed at the last round.", c[2]);
        }
        return out.toString();
    }

    /** {@code messagesSent} becomes {@code messages_sent}. */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "gauge");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(name).append(' ').append(value).append('\n');
    }
}
