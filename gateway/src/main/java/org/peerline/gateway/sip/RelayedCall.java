package org.peerline.gateway.sip;

import java.util.List;
import org.peerline.relay.RelayCall;

/**
 * The record of a call whose media this box relays, for the admin API: what faces each side (a phone of this
 * box or another box), the path the media takes and why, and the relayed streams (one per m= line) with their
 * counters.
 *
 * @param callId        the dialog's Call-ID
 * @param startedMillis when the box saw its first offer (epoch milliseconds)
 * @param caller        what faces the caller's side, and the relay address offered to it
 * @param callee        the same for the callee's side
 * @param path          the media path through this box, e.g. {@code phone <-> relay 192.168.1.1 | 10.0.0.1 <-> relay of the callee's box}
 * @param why           why the relay was chosen and how it finds the far end
 * @param streams       the relayed streams
 */
public record RelayedCall(String callId, long startedMillis, String caller, String callee, String path, String why,
                          List<RelayCall> streams) {
}
