/**
 * Public API of the provisioning module: the box's SIP users ({@link org.peerline.provisioning.api.Users}), the
 * store that holds them ({@link org.peerline.provisioning.api.Provisioning}) and the admin HTTP API
 * ({@link org.peerline.provisioning.api.AdminServer}). This is the only package other modules may use.
 */
package org.peerline.provisioning.api;
