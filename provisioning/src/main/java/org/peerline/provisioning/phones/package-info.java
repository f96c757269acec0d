/**
 * Internal: the auto-provisioning files desk phones fetch by MAC address over HTTP or TFTP, rendered from templates
 * (one resource per vendor and file kind, in this package's resource folder). {@link
 * org.peerline.provisioning.phones.ProfileRequest} recognises a requested file name and {@link
 * org.peerline.provisioning.phones.Profiles} renders it. The types are public only so that the API package can call
 * them; nothing here is part of the module's API.
 */
package org.peerline.provisioning.phones;
