package chatroom.account;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where accounts, their passkeys, signed-in sessions and pending WebAuthn challenges are kept: the same
 * database as the messages (an SQLite file, or the PostgreSQL every node shares). Every method but {@link
 * #changedSince} runs off the caller's thread and completes its future there; none blocks an event loop.
 */
public interface AccountStore {

    /** Why a challenge is handed out: the answer must come back for the same purpose. */
    enum Purpose {
        CLAIM("claim"), SIGN_IN("sign-in"), ADD_PASSKEY("add-passkey");

        public final String column;

        Purpose(String column) {
            this.column = column;
        }
    }

    /** Keeps a challenge (its hash) until {@code expiresMs}, for {@code userId} (null for a sign-in). */
    CompletableFuture<Void> putChallenge(String idHash, Purpose purpose, String userId, long expiresMs);

    /**
     * Takes a challenge out, so it is good once: the user id it was handed to ("" for a sign-in), or empty
     * when there is no such challenge for that purpose, it was taken already or it has expired.
     */
    CompletableFuture<Optional<String>> takeChallenge(String idHash, Purpose purpose, long nowMs);

    /**
     * Makes the guest {@code account.userId()} an account with its first passkey and signs it in, in one
     * transaction. Fails with {@link NameTakenException} when another account holds the name's key, and
     * with {@link IllegalStateException} when the id is an account already.
     */
    CompletableFuture<Void> claim(Account account, String nameKey, Passkey passkey, SignIn session);

    /** The passkey with that credential id, if any. */
    CompletableFuture<Optional<Passkey>> passkey(String credentialId);

    /**
     * Records a sign-in with a passkey: its counter moves to {@code signCount} and the session is added, in
     * one transaction. False, and nothing changed, when the counter does not move forward (a passkey that
     * counts and now shows the same or a lower count may have been cloned); a passkey that never counts
     * (0 before and after) is let in.
     */
    CompletableFuture<Boolean> signedIn(String credentialId, long signCount, SignIn session);

    /** Ends a session; every node stops accepting its cookie within a second ({@link #changedSince}). */
    CompletableFuture<Void> revoke(String idHash, long nowMs);

    /** A new name for an account; {@link NameTakenException} when another account holds its key. */
    CompletableFuture<Void> rename(String userId, String name, String nameKey, long nowMs);

    /** What came of using a one-time token (an owner invitation, a device link). */
    enum Redemption { ACCEPTED, USED, EXPIRED, UNKNOWN }

    /**
     * Makes {@code userId} an owner if the invitation with that hash is unused and current, and marks it used
     * by them, in one transaction: of two accepting at once, one is told it was used.
     */
    CompletableFuture<Redemption> acceptInvite(String idHash, String userId, long nowMs);

    /** Every account, by name: the admin page's list. */
    CompletableFuture<List<Account>> accounts();

    /** A new role for an account (moderators are made and unmade here; owners by invitation). */
    CompletableFuture<Void> setRole(String userId, Role role, long nowMs);

    /** Keeps a link (its token's hash) that signs another device in to {@code userId} until {@code expiresMs}. */
    CompletableFuture<Void> putDeviceLink(String idHash, String userId, long nowMs, long expiresMs);

    /**
     * Uses a device link and signs the new device in, in one transaction: the outcome, and the account's
     * user id when accepted. Of two devices racing with one link, one gets it.
     */
    CompletableFuture<LinkUse> useDeviceLink(String idHash, SignIn session, long nowMs);

    /** What came of opening a device link; {@code userId} is set when it was accepted. */
    record LinkUse(Redemption outcome, String userId) {}

    /** Adds a passkey to an account (made on a device that was signed in by a link, say). */
    CompletableFuture<Void> addPasskey(Passkey passkey, long nowMs);

    /**
     * Makes or updates the account of a user an auth proxy vouched for (single sign-on): its name is what the
     * proxy says now; its role is kept.
     */
    CompletableFuture<Void> provision(String userId, String name, String nameKey, long nowMs);

    /** Keeps a server setting an owner chose (e.g. {@code guests}). */
    CompletableFuture<Void> setSetting(String name, String value, long nowMs);

    /** Sessions of an account, newest first, revoked ones left out. */
    CompletableFuture<List<SessionInfo>> sessionsOf(String userId);

    /**
     * Deletes sessions revoked before {@code revokedBeforeMs} or signed in before {@code createdBeforeMs}
     * (expired); the count deleted. Blocking; for {@link Directory}'s thread only.
     */
    int forgetSessions(long revokedBeforeMs, long createdBeforeMs);

    /** Records when sessions were last seen (hash → epoch ms). Blocking; for {@link Directory}'s thread only. */
    void seen(java.util.Map<String, Long> lastSeenMs);

    /** What the device list shows of a session. */
    record SessionInfo(String idHash, long createdMs, long lastSeenMs, String userAgent, String address) {}

    /**
     * What changed at or after {@code sinceMs}: accounts as they now are, and sessions (a revoked one with
     * its revocation time). Blocking; for {@link Directory}'s refresh thread only.
     */
    Changes changedSince(long sinceMs);

    /** A batch of changes read by {@link #changedSince}. */
    record Changes(List<AccountRow> accounts, List<SessionRow> sessions, java.util.Map<String, String> settings) {}

    /** An account as stored, with the key its name is reserved under. */
    record AccountRow(Account account, String nameKey) {}

    /** A session as stored; {@code revokedMs} 0 while it is live. */
    record SessionRow(String idHash, String userId, long createdMs, long revokedMs) {}
}
