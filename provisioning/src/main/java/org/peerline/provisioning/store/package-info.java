/**
 * Internal: the SQLite user store behind {@link org.peerline.provisioning.api.Users}. Only
 * {@link org.peerline.provisioning.store.SqliteUserStore} is public, so that the API package can open it; nothing
 * here is part of the module's API.
 */
package org.peerline.provisioning.store;
