package chatroom.account;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of who has an account and which sessions are live, so that recognising a visitor on
 * every request and every socket costs a map lookup, never a database round trip on an event loop. It
 * learns of changes made here at once ({@link #claimed}, {@link #signedIn}, {@link #revoked}, {@link
 * #renamed}) and of those made elsewhere (another node, an admin verb on the same database) by reading
 * what changed every {@link #EVERY}: a sign-out on one node stops the cookie on all within about a second.
 *
 * <p>Each read looks back {@link #OVERLAP} before the previous one began, and applying a row twice changes
 * nothing, so a row committed late, or stamped by a node whose clock is a little behind, is still seen.
 * Sessions live for {@code sessionMaxAge} from sign-in.
 */
public final class Directory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Directory.class);

    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration OVERLAP = Duration.ofSeconds(10);
    /** How often the last-seen times of sessions in use are written: the device list is not a clock. */
    static final Duration SEEN_EVERY = Duration.ofMinutes(1);
    /**
     * How long a revoked session's row is kept: far longer than any node takes to read the revocation, so
     * none can miss it; then it goes, as do expired ones, so the table holds live sessions and recent ends.
     */
    static final Duration REVOKED_KEPT = Duration.ofDays(1);
    static final Duration FORGET_EVERY = Duration.ofHours(1);
    /** The setting owners choose on /admin for what guests may do (post, read, off). */
    public static final String GUESTS = "guests";

    private final AccountStore store;
    private final Clock clock;
    private final long sessionMaxAgeMs;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, String> keyOfUser = new ConcurrentHashMap<>();
    private final Map<String, String> userOfKey = new ConcurrentHashMap<>();
    private final Map<String, AccountStore.SessionRow> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> settings = new ConcurrentHashMap<>();
    /** Sessions used since their last-seen time was last written: hash → when. */
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final List<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService refresher;
    private volatile long lastReadStartMs;
    private volatile String lastFailure;

    /** Reads everything once (blocking: at start-up), then keeps up every second. */
    public static Directory start(AccountStore store, Clock clock, Duration sessionMaxAge) {
        Directory directory = new Directory(store, clock, sessionMaxAge);
        directory.refresh(0);
        directory.refresher.scheduleWithFixedDelay(directory::refreshSafely, EVERY.toMillis(), EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        directory.refresher.scheduleWithFixedDelay(directory::writeSeen, SEEN_EVERY.toMillis(), SEEN_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        directory.refresher.scheduleWithFixedDelay(directory::forgetOldSessions, 0, FORGET_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return directory;
    }

    private Directory(AccountStore store, Clock clock, Duration sessionMaxAge) {
        this.store = store;
        this.clock = clock;
        this.sessionMaxAgeMs = sessionMaxAge.toMillis();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "accounts-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** The account with this user id, or null for a guest. */
    public Account account(String userId) {
        return accounts.get(userId);
    }

    /**
     * The account a session cookie's id hash signs in, or null: unknown, revoked or expired. A session found
     * is noted as seen now, for the device list.
     */
    public Account signedIn(String idHash) {
        if (!isLive(idHash)) return null;
        seen.put(idHash, clock.millis());
        return accounts.get(sessions.get(idHash).userId());
    }

    /** True while the session signs its account in; unlike {@link #signedIn}, does not count as its use. */
    public boolean isLive(String idHash) {
        AccountStore.SessionRow session = sessions.get(idHash);
        return session != null && session.revokedMs() == 0 && clock.millis() - session.createdMs() <= sessionMaxAgeMs;
    }

    /** Runs {@code listener} with the hash of every session that ends, here or on another node. */
    public void onRevoked(Consumer<String> listener) {
        revocationListeners.add(listener);
    }

    /** The user id of the account whose name has this key, or null if no account holds it. */
    public String holderOf(String nameKey) {
        return userOfKey.get(nameKey);
    }

    /** Refuses {@code name} to {@code userId} when another account holds a name that looks the same. */
    public void checkFree(String name, String userId) {
        String holder = holderOf(NameKey.of(name));
        if (holder != null && !holder.equals(userId)) throw new NameTakenException(name);
    }

    /** An account made or renamed from what an auth proxy said (single sign-on). */
    public void provisioned(Account account, String nameKey) {
        put(new AccountStore.AccountRow(account, nameKey));
    }

    public void claimed(Account account, String nameKey, SignIn session) {
        put(new AccountStore.AccountRow(account, nameKey));
        signedIn(session);
    }

    public void signedIn(SignIn session) {
        sessions.put(session.idHash(), new AccountStore.SessionRow(session.idHash(), session.userId(), session.atMs(), 0));
    }

    public void revoked(String idHash, long atMs) {
        boolean[] ended = {false};
        sessions.computeIfPresent(idHash, (h, s) -> {
            if (s.revokedMs() != 0) return s;
            ended[0] = true;
            return new AccountStore.SessionRow(h, s.userId(), s.createdMs(), atMs);
        });
        if (ended[0]) tellRevoked(idHash);
    }

    private void tellRevoked(String idHash) {
        seen.remove(idHash);
        for (Consumer<String> listener : revocationListeners) {
            try {
                listener.accept(idHash);
            } catch (RuntimeException e) {
                log.warn("accounts: a revocation listener failed", e);
            }
        }
    }

    /** A setting owners chose, or {@code otherwise} while none is stored. */
    public String setting(String name, String otherwise) {
        return settings.getOrDefault(name, otherwise);
    }

    public void settingChanged(String name, String value) {
        settings.put(name, value);
    }

    public void roleChanged(String userId, Role role) {
        Account account = accounts.get(userId);
        String key = keyOfUser.get(userId);
        if (account != null && key != null) put(new AccountStore.AccountRow(new Account(userId, account.name(), role), key));
    }

    public void renamed(String userId, String name, String nameKey) {
        Account account = accounts.get(userId);
        if (account != null) put(new AccountStore.AccountRow(new Account(userId, name, account.role()), nameKey));
    }

    private void put(AccountStore.AccountRow row) {
        String userId = row.account().userId();
        accounts.put(userId, row.account());
        String oldKey = keyOfUser.put(userId, row.nameKey());
        if (oldKey != null && !oldKey.equals(row.nameKey())) userOfKey.remove(oldKey, userId);
        userOfKey.put(row.nameKey(), userId);
    }

    private void refreshSafely() {
        try {
            refresh(Math.max(0, lastReadStartMs - OVERLAP.toMillis()));
            if (lastFailure != null) {
                log.info("accounts: reading changes again ({})", lastFailure);
                lastFailure = null;
            }
        } catch (RuntimeException e) {
            if (lastFailure == null) log.warn("accounts: cannot read changes; sign-ins and sign-outs elsewhere wait: {}", e.toString());
            lastFailure = e.toString();
        }
    }

    private void refresh(long sinceMs) {
        long startMs = clock.millis();
        AccountStore.Changes changes = store.changedSince(sinceMs);
        changes.accounts().forEach(this::put);
        settings.putAll(changes.settings());
        long expiredBefore = startMs - sessionMaxAgeMs;
        for (AccountStore.SessionRow row : changes.sessions()) {
            if (row.createdMs() < expiredBefore) {
                sessions.remove(row.idHash());
            } else {
                // a revocation is never undone by an older copy of the row
                AccountStore.SessionRow was = sessions.get(row.idHash());
                sessions.merge(row.idHash(), row, (mine, read) -> mine.revokedMs() != 0 ? mine : read);
                if (row.revokedMs() != 0 && was != null && was.revokedMs() == 0) tellRevoked(row.idHash());
            }
        }
        lastReadStartMs = startMs;
    }

    /** Writes when the sessions used since the last time were last seen; runs on the refresher thread. */
    private void writeSeen() {
        if (seen.isEmpty()) return;
        Map<String, Long> batch = new java.util.HashMap<>(seen);
        batch.forEach(seen::remove);
        try {
            store.seen(batch);
        } catch (RuntimeException e) {
            log.warn("accounts: cannot write when sessions were last seen: {}", e.toString());
        }
    }

    /**
     * Forgets expired sessions here (they sign nobody in already: {@link #isLive}) and deletes the rows of
     * those revoked a day ago or expired; runs on the refresher thread.
     */
    void forgetOldSessions() {
        long now = clock.millis();
        sessions.values().removeIf(s -> now - s.createdMs() > sessionMaxAgeMs);
        try {
            int forgotten = store.forgetSessions(now - REVOKED_KEPT.toMillis(), now - sessionMaxAgeMs);
            if (forgotten > 0) log.info("accounts: forgot {} ended sessions", forgotten);
        } catch (RuntimeException e) {
            log.warn("accounts: cannot forget ended sessions: {}", e.toString());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
