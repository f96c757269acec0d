package org.peerline.gateway.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps registrations across restarts: a {@link BindingTable.Listener} that writes each AOR's bindings
 * to SQLite ({@code bindings.db} in the data directory) behind the SIP path. Changes are coalesced per
 * AOR and committed in one transaction every {@code flushMillis}, so a burst of REGISTERs costs one
 * fsync, not one each; {@link #close()} writes what is pending. After a crash at most the last
 * interval's refreshes are lost, and phones re-register anyway.
 */
public final class BindingStore implements BindingTable.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BindingStore.class);

    private final Connection db;
    private final Object lock = new Object();
    private final Thread writer;
    private final long flushMillis;
    private Map<String, List<Binding>> pending = new LinkedHashMap<>();
    private boolean closed;

    private BindingStore(Connection db, long flushMillis) {
        this.db = db;
        this.flushMillis = flushMillis;
        this.writer = new Thread(this::run, "binding-store");
        this.writer.setDaemon(true);
    }

    /** Opens (creating if needed) {@code dataDir/bindings.db} and starts the writer thread. */
    public static BindingStore open(Path dataDir, long flushMillis) throws SQLException {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("bindings.db"));
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("CREATE TABLE IF NOT EXISTS bindings (aor TEXT NOT NULL, contact TEXT NOT NULL, q REAL NOT NULL,"
                    + " expires_at INTEGER NOT NULL, call_id TEXT NOT NULL, cseq INTEGER NOT NULL,"
                    + " source TEXT NOT NULL, via_source INTEGER NOT NULL, user_agent TEXT NOT NULL,"
                    + " PRIMARY KEY (aor, contact))");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        BindingStore store = new BindingStore(c, flushMillis);
        store.writer.start();
        return store;
    }

    /** Every stored binding that has not expired at {@code now}. */
    public List<Binding> load(long now) throws SQLException {
        List<Binding> out = new ArrayList<>();
        synchronized (db) {
            try (PreparedStatement ps = db.prepareStatement("SELECT aor, contact, q, expires_at, call_id, cseq, source,"
                    + " via_source, user_agent FROM bindings WHERE expires_at > ?")) {
                ps.setLong(1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Binding(rs.getString(1), rs.getString(2), rs.getFloat(3), rs.getLong(4),
                                rs.getString(5), rs.getLong(6), rs.getString(7), rs.getInt(8) != 0, rs.getString(9)));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void changed(String aor, List<Binding> bindings) {
        synchronized (lock) {
            pending.put(aor, bindings);
        }
    }

    /** Writes everything pending now (tests and shutdown). */
    public void flush() {
        Map<String, List<Binding>> batch;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        synchronized (db) {
            try {
                write(batch);
            } catch (SQLException e) {
                LOG.error("binding store: could not write {} AORs, will retry: {}", batch.size(), e.getMessage());
                synchronized (lock) {
                    batch.putAll(pending);
                    pending = batch;
                }
            }
        }
    }

    private void write(Map<String, List<Binding>> batch) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement del = db.prepareStatement("DELETE FROM bindings WHERE aor = ?");
             PreparedStatement ins = db.prepareStatement("INSERT OR REPLACE INTO bindings VALUES (?,?,?,?,?,?,?,?,?)")) {
            for (Map.Entry<String, List<Binding>> e : batch.entrySet()) {
                del.setString(1, e.getKey());
                del.addBatch();
                for (Binding b : e.getValue()) {
                    ins.setString(1, b.aor());
                    ins.setString(2, b.contact());
                    ins.setFloat(3, b.q());
                    ins.setLong(4, b.expiresAt());
                    ins.setString(5, b.callId());
                    ins.setLong(6, b.cseq());
                    ins.setString(7, b.source());
                    ins.setInt(8, b.viaSource() ? 1 : 0);
                    ins.setString(9, b.userAgent());
                    ins.addBatch();
                }
            }
            del.executeBatch();
            ins.executeBatch();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    private void run() {
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                try {
                    lock.wait(flushMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            flush();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        synchronized (db) {
            try {
                db.close();
            } catch (SQLException e) {
                LOG.warn("binding store: close failed: {}", e.getMessage());
            }
        }
    }
}
