package org.peerline.provisioning.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.peerline.provisioning.api.ProvisioningException;

/** Work done inside one write transaction. */
@FunctionalInterface
interface SqlWork<T> {
    T run(Connection connection) throws SQLException, ProvisioningException;
}
