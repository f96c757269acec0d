package org.peerline.provisioning.api;

import java.util.List;

/**
 * A phone to add. The store checks every field and makes up the phone's SIP password.
 *
 * @param mac    the MAC address: 12 hex digits, optionally separated by {@code :}, {@code -} or {@code .}
 * @param vendor the vendor
 * @param model  the model, or null or empty for none (at most 64 printable characters)
 * @param lines  the names of existing users, line 1 first; 1-16, distinct
 */
public record NewPhone(String mac, Vendor vendor, String model, List<String> lines) {
}
