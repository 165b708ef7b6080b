package chatroom.store;

import chatroom.account.Account;
import chatroom.account.AccountStore;
import chatroom.account.NameTakenException;
import chatroom.account.Passkey;
import chatroom.account.Role;
import chatroom.account.SignIn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Accounts, passkeys, sessions and challenges in the message store's database (tables of V9). Sign-ins are
 * rare next to messages, so one thread of its own does the writes and reads, each in its own short
 * transaction on a pooled connection; the group-commit writer never waits for it.
 */
final class JdbcAccountStore implements AccountStore {

    private final Database database;
    private final ExecutorService thread;

    JdbcAccountStore(Database database) {
        this.database = database;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform()
                .name("accounts " + database.name()).daemon(true).factory());
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction on the accounts thread. */
    private <T> CompletableFuture<T> inTransaction(Work<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return inTransactionNow(work);
            } catch (SQLException e) {
                throw new StoreException(database.name() + ": accounts: " + e.getMessage(), e);
            }
        }, thread);
    }

    private <T> T inTransactionNow(Work<T> work) throws SQLException {
        try (Connection connection = database.pool().getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    @Override
    public CompletableFuture<Void> putChallenge(String idHash, Purpose purpose, String userId, long expiresMs) {
        return inTransaction(c -> {
            // expired challenges nobody answered go whenever a new one comes
            try (PreparedStatement old = c.prepareStatement("DELETE FROM challenges WHERE expires_ms < ?")) {
                old.setLong(1, expiresMs - 3_600_000L);
                old.executeUpdate();
            }
            try (PreparedStatement put = c.prepareStatement(
                    "INSERT INTO challenges (id_hash, purpose, user_id, expires_ms) VALUES (?, ?, ?, ?)")) {
                put.setString(1, idHash);
                put.setString(2, purpose.column);
                put.setString(3, userId);
                put.setLong(4, expiresMs);
                put.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<String>> takeChallenge(String idHash, Purpose purpose, long nowMs) {
        return inTransaction(c -> {
            String userId;
            long expiresMs;
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT user_id, expires_ms FROM challenges WHERE id_hash = ? AND purpose = ?")) {
                read.setString(1, idHash);
                read.setString(2, purpose.column);
                try (ResultSet row = read.executeQuery()) {
                    if (!row.next()) return Optional.empty();
                    userId = row.getString(1);
                    expiresMs = row.getLong(2);
                }
            }
            try (PreparedStatement take = c.prepareStatement("DELETE FROM challenges WHERE id_hash = ?")) {
                take.setString(1, idHash);
                // of two answers racing with the same challenge, one deletes the row and the other finds none
                if (take.executeUpdate() != 1) return Optional.empty();
            }
            if (expiresMs < nowMs) return Optional.empty();
            return Optional.of(userId == null ? "" : userId);
        });
    }

    @Override
    public CompletableFuture<Void> claim(Account account, String nameKey, Passkey passkey, SignIn session) {
        return inTransaction(c -> {
            try (PreparedStatement exists = c.prepareStatement(
                    "SELECT user_id FROM accounts WHERE user_id = ? OR name_key = ?")) {
                exists.setString(1, account.userId());
                exists.setString(2, nameKey);
                try (ResultSet row = exists.executeQuery()) {
                    while (row.next()) {
                        if (row.getString(1).equals(account.userId())) {
                            throw new IllegalStateException("this visitor has an account already");
                        }
                        throw new NameTakenException(account.name());
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO accounts (user_id, name, name_key, role,"
                    + " created_ms, changed_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, account.userId());
                insert.setString(2, account.name());
                insert.setString(3, nameKey);
                insert.setString(4, account.role().column());
                insert.setLong(5, session.atMs());
                insert.setLong(6, session.atMs());
                insert.executeUpdate();
            }
            insertPasskey(c, passkey, session.atMs());
            insertSession(c, session);
            return null;
        });
    }

    private static void insertPasskey(Connection c, Passkey passkey, long nowMs) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO passkeys (credential_id, user_id, credential,"
                + " sign_count, created_ms) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, passkey.credentialId());
            insert.setString(2, passkey.userId());
            insert.setString(3, passkey.credential());
            insert.setLong(4, passkey.signCount());
            insert.setLong(5, nowMs);
            insert.executeUpdate();
        }
    }

    private static void insertSession(Connection c, SignIn session) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO sessions (id_hash, user_id, created_ms,"
                + " last_seen_ms, user_agent, address, changed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, session.idHash());
            insert.setString(2, session.userId());
            insert.setLong(3, session.atMs());
            insert.setLong(4, session.atMs());
            insert.setString(5, session.userAgent());
            insert.setString(6, session.address());
            insert.setLong(7, session.atMs());
            insert.executeUpdate();
        }
    }

    @Override
    public CompletableFuture<Optional<Passkey>> passkey(String credentialId) {
        return inTransaction(c -> {
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT user_id, credential, sign_count FROM passkeys WHERE credential_id = ?")) {
                read.setString(1, credentialId);
                try (ResultSet row = read.executeQuery()) {
                    if (!row.next()) return Optional.empty();
                    return Optional.of(new Passkey(credentialId, row.getString(1), row.getString(2), row.getLong(3)));
                }
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> signedIn(String credentialId, long signCount, SignIn session) {
        return inTransaction(c -> {
            try (PreparedStatement count = c.prepareStatement("UPDATE passkeys SET sign_count = ?, last_used_ms = ?"
                    + " WHERE credential_id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))")) {
                count.setLong(1, signCount);
                count.setLong(2, session.atMs());
                count.setString(3, credentialId);
                count.setLong(4, signCount);
                count.setLong(5, signCount);
                if (count.executeUpdate() != 1) return false;
            }
            insertSession(c, session);
            return true;
        });
    }

    @Override
    public CompletableFuture<Void> revoke(String idHash, long nowMs) {
        return inTransaction(c -> {
            try (PreparedStatement revoke = c.prepareStatement(
                    "UPDATE sessions SET revoked_ms = ?, changed_ms = ? WHERE id_hash = ? AND revoked_ms IS NULL")) {
                revoke.setLong(1, nowMs);
                revoke.setLong(2, nowMs);
                revoke.setString(3, idHash);
                revoke.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> rename(String userId, String name, String nameKey, long nowMs) {
        return inTransaction(c -> {
            try (PreparedStatement taken = c.prepareStatement(
                    "SELECT 1 FROM accounts WHERE name_key = ? AND user_id <> ?")) {
                taken.setString(1, nameKey);
                taken.setString(2, userId);
                try (ResultSet row = taken.executeQuery()) {
                    if (row.next()) throw new NameTakenException(name);
                }
            }
            try (PreparedStatement rename = c.prepareStatement(
                    "UPDATE accounts SET name = ?, name_key = ?, changed_ms = ? WHERE user_id = ?")) {
                rename.setString(1, name);
                rename.setString(2, nameKey);
                rename.setLong(3, nowMs);
                rename.setString(4, userId);
                rename.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Redemption> acceptInvite(String idHash, String userId, long nowMs) {
        return inTransaction(c -> {
            try (PreparedStatement read = c.prepareStatement("SELECT expires_ms, used_by FROM invites WHERE id_hash = ?")) {
                read.setString(1, idHash);
                try (ResultSet row = read.executeQuery()) {
                    if (!row.next()) return Redemption.UNKNOWN;
                    if (row.getString(2) != null) return Redemption.USED;
                    if (row.getLong(1) < nowMs) return Redemption.EXPIRED;
                }
            }
            try (PreparedStatement use = c.prepareStatement(
                    "UPDATE invites SET used_by = ?, used_ms = ? WHERE id_hash = ? AND used_by IS NULL")) {
                use.setString(1, userId);
                use.setLong(2, nowMs);
                use.setString(3, idHash);
                if (use.executeUpdate() != 1) return Redemption.USED;
            }
            setRoleNow(c, userId, Role.OWNER, nowMs);
            return Redemption.ACCEPTED;
        });
    }

    @Override
    public CompletableFuture<List<Account>> accounts() {
        return inTransaction(c -> {
            List<Account> all = new ArrayList<>();
            try (PreparedStatement read = c.prepareStatement("SELECT user_id, name, role FROM accounts ORDER BY name");
                    ResultSet row = read.executeQuery()) {
                while (row.next()) {
                    all.add(new Account(row.getString(1), row.getString(2), Role.ofColumn(row.getString(3))));
                }
            }
            return all;
        });
    }

    @Override
    public CompletableFuture<Void> setRole(String userId, Role role, long nowMs) {
        return inTransaction(c -> {
            setRoleNow(c, userId, role, nowMs);
            return null;
        });
    }

    private static void setRoleNow(Connection c, String userId, Role role, long nowMs) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE accounts SET role = ?, changed_ms = ? WHERE user_id = ?")) {
            update.setString(1, role.column());
            update.setLong(2, nowMs);
            update.setString(3, userId);
            update.executeUpdate();
        }
    }

    @Override
    public CompletableFuture<Void> putDeviceLink(String idHash, String userId, long nowMs, long expiresMs) {
        return inTransaction(c -> {
            try (PreparedStatement old = c.prepareStatement("DELETE FROM device_links WHERE expires_ms < ?")) {
                old.setLong(1, nowMs - 86_400_000L);
                old.executeUpdate();
            }
            try (PreparedStatement put = c.prepareStatement(
                    "INSERT INTO device_links (id_hash, user_id, created_ms, expires_ms) VALUES (?, ?, ?, ?)")) {
                put.setString(1, idHash);
                put.setString(2, userId);
                put.setLong(3, nowMs);
                put.setLong(4, expiresMs);
                put.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<LinkUse> useDeviceLink(String idHash, SignIn session, long nowMs) {
        return inTransaction(c -> {
            String userId;
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT user_id, expires_ms, used_ms FROM device_links WHERE id_hash = ?")) {
                read.setString(1, idHash);
                try (ResultSet row = read.executeQuery()) {
                    if (!row.next()) return new LinkUse(Redemption.UNKNOWN, null);
                    row.getLong(3);
                    if (!row.wasNull()) return new LinkUse(Redemption.USED, null);
                    if (row.getLong(2) < nowMs) return new LinkUse(Redemption.EXPIRED, null);
                    userId = row.getString(1);
                }
            }
            try (PreparedStatement use = c.prepareStatement(
                    "UPDATE device_links SET used_ms = ? WHERE id_hash = ? AND used_ms IS NULL")) {
                use.setLong(1, nowMs);
                use.setString(2, idHash);
                if (use.executeUpdate() != 1) return new LinkUse(Redemption.USED, null);
            }
            insertSession(c, session.of(userId));
            return new LinkUse(Redemption.ACCEPTED, userId);
        });
    }

    @Override
    public CompletableFuture<Void> addPasskey(Passkey passkey, long nowMs) {
        return inTransaction(c -> {
            insertPasskey(c, passkey, nowMs);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> provision(String userId, String name, String nameKey, long nowMs) {
        return inTransaction(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO accounts (user_id, name, name_key, role,"
                    + " created_ms, changed_ms) VALUES (?, ?, ?, 'member', ?, ?) ON CONFLICT (user_id) DO UPDATE"
                    + " SET name = excluded.name, changed_ms = excluded.changed_ms WHERE accounts.name <> excluded.name")) {
                upsert.setString(1, userId);
                upsert.setString(2, name);
                upsert.setString(3, nameKey);
                upsert.setLong(4, nowMs);
                upsert.setLong(5, nowMs);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> setSetting(String name, String value, long nowMs) {
        return inTransaction(c -> {
            try (PreparedStatement upsert = c.prepareStatement("INSERT INTO settings (name, value, changed_ms) VALUES (?, ?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_ms = excluded.changed_ms")) {
                upsert.setString(1, name);
                upsert.setString(2, value);
                upsert.setLong(3, nowMs);
                upsert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<SessionInfo>> sessionsOf(String userId) {
        return inTransaction(c -> {
            List<SessionInfo> sessions = new ArrayList<>();
            try (PreparedStatement read = c.prepareStatement("SELECT id_hash, created_ms, last_seen_ms, user_agent, address"
                    + " FROM sessions WHERE user_id = ? AND revoked_ms IS NULL ORDER BY last_seen_ms DESC")) {
                read.setString(1, userId);
                try (ResultSet row = read.executeQuery()) {
                    while (row.next()) {
                        sessions.add(new SessionInfo(row.getString(1), row.getLong(2), row.getLong(3), row.getString(4),
                                row.getString(5)));
                    }
                }
            }
            return sessions;
        });
    }

    @Override
    public int forgetSessions(long revokedBeforeMs, long createdBeforeMs) {
        try {
            return inTransactionNow(c -> {
                try (PreparedStatement forget = c.prepareStatement(
                        "DELETE FROM sessions WHERE revoked_ms < ? OR created_ms < ?")) {
                    forget.setLong(1, revokedBeforeMs);
                    forget.setLong(2, createdBeforeMs);
                    return forget.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException(database.name() + ": accounts: " + e.getMessage(), e);
        }
    }

    @Override
    public void seen(java.util.Map<String, Long> lastSeenMs) {
        try {
            inTransactionNow(c -> {
                // last_seen_ms only: changed_ms stays, so being seen is not a change every node reads again
                try (PreparedStatement touch = c.prepareStatement(
                        "UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ? AND last_seen_ms < ?")) {
                    for (var entry : lastSeenMs.entrySet()) {
                        touch.setLong(1, entry.getValue());
                        touch.setString(2, entry.getKey());
                        touch.setLong(3, entry.getValue());
                        touch.addBatch();
                    }
                    touch.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new StoreException(database.name() + ": accounts: " + e.getMessage(), e);
        }
    }

    @Override
    public Changes changedSince(long sinceMs) {
        try {
            return inTransactionNow(c -> {
                List<AccountRow> accounts = new ArrayList<>();
                try (PreparedStatement read = c.prepareStatement(
                        "SELECT user_id, name, name_key, role FROM accounts WHERE changed_ms >= ?")) {
                    read.setLong(1, sinceMs);
                    try (ResultSet row = read.executeQuery()) {
                        while (row.next()) {
                            accounts.add(new AccountRow(new Account(row.getString(1), row.getString(2),
                                    Role.ofColumn(row.getString(4))), row.getString(3)));
                        }
                    }
                }
                List<SessionRow> sessions = new ArrayList<>();
                try (PreparedStatement read = c.prepareStatement(
                        "SELECT id_hash, user_id, created_ms, revoked_ms FROM sessions WHERE changed_ms >= ?")) {
                    read.setLong(1, sinceMs);
                    try (ResultSet row = read.executeQuery()) {
                        while (row.next()) {
                            sessions.add(new SessionRow(row.getString(1), row.getString(2), row.getLong(3), row.getLong(4)));
                        }
                    }
                }
                java.util.Map<String, String> settings = new java.util.HashMap<>();
                try (PreparedStatement read = c.prepareStatement("SELECT name, value FROM settings WHERE changed_ms >= ?")) {
                    read.setLong(1, sinceMs);
                    try (ResultSet row = read.executeQuery()) {
                        while (row.next()) settings.put(row.getString(1), row.getString(2));
                    }
                }
                return new Changes(accounts, sessions, settings);
            });
        } catch (SQLException e) {
            throw new StoreException(database.name() + ": accounts: " + e.getMessage(), e);
        }
    }

    /** Lets the work queued finish, then stops the thread; before the pool closes. */
    void stop() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
