package org.peerline.provisioning.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.peerline.provisioning.api.ExtensionTakenException;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.UserExistsException;

/**
 * Which names and extensions are taken, as seen inside the current write transaction, plus those claimed earlier in
 * the same batch. Small writes ask the database per key; large batches load every key once, which is far cheaper
 * than a query per key. Either way the answers are those of the transaction, not of the possibly stale snapshot.
 *
 * <p>The rules: a name is unique; an extension is unique and is not another user's name; a name is not another
 * user's extension (a user's own name and extension may be equal).
 */
final class Claims {
    /** Batches larger than this load all keys instead of querying per key. */
    static final int POINT_QUERY_LIMIT = 32;

    private final Connection connection;
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> extensionOwners = new HashMap<>();

    private Claims(Connection connection) {
        this.connection = connection;
    }

    /** Returns claims for a write of {@code size} users on {@code connection}, inside its write transaction. */
    static Claims forBatch(Connection connection, int size) throws SQLException {
        if (size <= POINT_QUERY_LIMIT) {
            return new Claims(connection);
        }
        Claims loaded = new Claims(null);
        UserTable.loadKeys(connection, loaded.names, loaded.extensionOwners);
        return loaded;
    }

    /**
     * Checks that {@code user} may be added, then claims its name and extension.
     *
     * @param prefix put before messages, for example {@code "users[3]: "}, or empty
     */
    void claimNew(User user, String prefix) throws SQLException, UserExistsException, ExtensionTakenException {
        String name = user.name();
        if (nameTaken(name)) {
            throw new UserExistsException(name, prefix + "user '" + name + "' already exists");
        }
        String owner = extensionOwner(name);
        if (owner != null) {
            throw new ExtensionTakenException(name, owner,
                    prefix + "name '" + name + "' is already the extension of user '" + owner + "'");
        }
        if (user.extension() != null) {
            checkExtension(name, user.extension(), prefix);
        }
        names.add(name);
        if (user.extension() != null) {
            extensionOwners.put(user.extension(), name);
        }
    }

    /** Checks that the existing user {@code name} may take {@code extension}. */
    void checkExtension(String name, String extension, String prefix) throws SQLException, ExtensionTakenException {
        String owner = extensionOwner(extension);
        if (owner != null && !owner.equals(name)) {
            throw new ExtensionTakenException(extension, owner,
                    prefix + "extension '" + extension + "' already belongs to user '" + owner + "'");
        }
        if (!extension.equals(name) && nameTaken(extension)) {
            throw new ExtensionTakenException(extension, extension,
                    prefix + "extension '" + extension + "' is the name of another user");
        }
    }

    private boolean nameTaken(String name) throws SQLException {
        return names.contains(name) || connection != null && UserTable.nameExists(connection, name);
    }

    private String extensionOwner(String extension) throws SQLException {
        String owner = extensionOwners.get(extension);
        if (owner != null || connection == null) {
            return owner;
        }
        return UserTable.extensionOwner(connection, extension);
    }
}
