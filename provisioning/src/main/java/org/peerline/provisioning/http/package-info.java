/**
 * Internal: the admin JSON API over the JDK's {@code com.sun.net.httpserver}. Only
 * {@link org.peerline.provisioning.http.AdminHttpServer} is public, so that
 * {@link org.peerline.provisioning.api.AdminServer} can start it; nothing here is part of the module's API.
 */
package org.peerline.provisioning.http;
