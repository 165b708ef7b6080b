package chatroom.web;

import chatroom.account.Account;
import chatroom.account.Directory;
import chatroom.account.AccountStore;
import chatroom.account.Passkeys;
import chatroom.account.Role;
import chatroom.room.DisplayName;
import chatroom.metrics.Meters;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import chatroom.room.GuestPolicy;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Who a request comes from: the account of a live session cookie, else the guest of the signed guest
 * cookie ({@link Identities}). A guest cookie naming an account's user id is not enough to be that
 * account: once a name is kept, only a session of its own signs it in, so a guest cookie copied from before
 * the claim, or forged with a leaked identity secret, makes a new guest instead.
 *
 * <p>The session cookie holds a random 256-bit id; the server keeps only its SHA-256 ({@link Directory}
 * looks it up in memory), so the database alone signs nobody in.
 */
final class Visitors {

    private static final Logger log = LoggerFactory.getLogger(Visitors.class);

    static final String SESSION_COOKIE = "chatroom_session";
    private static final int SESSION_ID_BYTES = 32;

    final Identities identities;
    final Directory directory;
    private final Duration sessionMaxAge;
    private final SecureRandom random = new SecureRandom();

    private final Supplier<GuestPolicy> guests;

    private final AccountStore accounts;
    /** Single sign-on: the header a trusted auth proxy names the user in, and their display name; "" if off. */
    private final String authHeader;
    private final String authNameHeader;

    Visitors(Identities identities, Directory directory, AccountStore accounts, Duration sessionMaxAge,
            Supplier<GuestPolicy> guests, String authHeader, String authNameHeader) {
        this.identities = identities;
        this.directory = directory;
        this.accounts = accounts;
        this.sessionMaxAge = sessionMaxAge;
        this.guests = guests;
        this.authHeader = authHeader;
        this.authNameHeader = authNameHeader;
    }

    /**
     * Who the request is from. Behind an auth proxy ({@code --auth-header}), a request from {@code
     * --trusted-proxies} naming a user is that user's account, made on first sight; the same header from
     * anywhere else is refused (403) and logged, since anyone can write a header.
     */
    Identity of(Request request) {
        if (!authHeader.isEmpty()) {
            String user = request.header(authHeader);
            if (user != null && !user.isBlank()) {
                if (!request.fromTrustedProxy()) {
                    // counted, and summed up in the log by RefusalLog: a flood of forged headers costs a line a period
                    Meters.authHeaderRefused();
                    log.debug("refused: {} sent {} from {}, which is not in --trusted-proxies", request.path, authHeader,
                            request.client());
                    throw HttpException.forbidden("The " + authHeader + " header is accepted only from this server's"
                            + " trusted proxies.");
                }
                return vouchedFor(user.strip(), authNameHeader.isEmpty() ? null : request.header(authNameHeader));
            }
        }
        return of(request.cookie(SESSION_COOKIE), request.cookie(Identities.COOKIE));
    }

    /** The account of a user the auth proxy vouched for; made, or renamed, in the store as it first shows. */
    private Identity vouchedFor(String user, String shownName) {
        String userId = "sso-" + Passkeys.hash(("sso:" + user).getBytes(StandardCharsets.UTF_8)).substring(0, 22);
        String name = nameOf(shownName, user);
        Account known = directory.account(userId);
        Role role = known == null ? Role.MEMBER : known.role();
        if (known == null || !known.name().equals(name)) {
            String key = "sso:" + user; // names from the organisation are theirs to keep apart
            directory.provisioned(new Account(userId, name, role), key);
            accounts.provision(userId, name, key, System.currentTimeMillis()).exceptionally(failed -> {
                log.warn("accounts: cannot store the account of {}: {}", user, failed.toString());
                return null;
            });
        }
        return new Identity(userId, name, false, role, null);
    }

    private static String nameOf(String shownName, String user) {
        for (String candidate : new String[] {shownName, user}) {
            if (candidate == null) continue;
            try {
                String name = DisplayName.clean(candidate.length() > DisplayName.MAX_CHARS
                        ? candidate.substring(0, DisplayName.MAX_CHARS) : candidate);
                return name;
            } catch (RuntimeException unusable) {
                // the next candidate
            }
        }
        return "user";
    }

    /** What guests may do now: the owners' choice on /admin, else {@code --guests}. */
    GuestPolicy guests() {
        return guests.get();
    }

    /** 403 for a guest while guests are off: only the lobby and signing in are open to them. */
    void requireGuestsAllowed(Identity identity) {
        if (!identity.hasAccount() && guests() == GuestPolicy.OFF) {
            throw HttpException.forbidden("This Chatroom is open to people with an account only. Sign in, or keep your"
                    + " name with a passkey from the lobby.");
        }
    }

    Identity of(String sessionCookie, String guestCookie) {
        if (sessionCookie != null && !sessionCookie.isEmpty()) {
            String hash = hashOf(sessionCookie);
            Account account = directory.signedIn(hash);
            if (account != null) return Identity.of(account, hash);
        }
        Identity guest = identities.fromCookie(guestCookie);
        return directory.account(guest.userId()) == null ? guest : identities.newGuest();
    }

    /** A new session id, for the cookie only. */
    String newSessionId() {
        byte[] id = new byte[SESSION_ID_BYTES];
        random.nextBytes(id);
        return Passkeys.base64(id);
    }

    static String hashOf(String sessionId) {
        return Passkeys.hash(sessionId.getBytes(StandardCharsets.US_ASCII));
    }

    String sessionCookie(String sessionId, boolean secure) {
        return cookie(sessionId, sessionMaxAge.toSeconds(), secure);
    }

    String clearedSessionCookie(boolean secure) {
        return cookie("", 0, secure);
    }

    private static String cookie(String value, long maxAgeSeconds, boolean secure) {
        DefaultCookie cookie = new DefaultCookie(SESSION_COOKIE, value);
        cookie.setHttpOnly(true);
        cookie.setSameSite(CookieHeaderNames.SameSite.Lax);
        cookie.setPath("/");
        cookie.setMaxAge(maxAgeSeconds);
        cookie.setSecure(secure);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }
}
