package chatroom.web;

import chatroom.account.Account;
import chatroom.account.Directory;
import chatroom.account.Passkeys;
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

    static final String SESSION_COOKIE = "chatroom_session";
    private static final int SESSION_ID_BYTES = 32;

    final Identities identities;
    final Directory directory;
    private final Duration sessionMaxAge;
    private final SecureRandom random = new SecureRandom();

    private final String guestsByDefault;

    Visitors(Identities identities, Directory directory, Duration sessionMaxAge, String guestsByDefault) {
        this.identities = identities;
        this.directory = directory;
        this.sessionMaxAge = sessionMaxAge;
        this.guestsByDefault = guestsByDefault;
    }

    /** What guests may do now: the owners' choice on /admin, else {@code --guests}. */
    GuestPolicy guests() {
        return GuestPolicy.of(directory.setting(GUESTS_SETTING, guestsByDefault));
    }

    static final String GUESTS_SETTING = "guests";

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
