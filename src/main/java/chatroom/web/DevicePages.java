package chatroom.web;

import chatroom.account.AccountStore;
import chatroom.account.SignIn;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an account is signed in: signing out (the session revoked on the server), the list of one's
 * devices with Sign out per device, and the one-time link (with its QR code) that signs another device
 * in. Every change is a POST from this site's own pages.
 */
final class DevicePages {

    private static final Logger log = LoggerFactory.getLogger(DevicePages.class);

    private final Visitors visitors;
    private final AccountStore accounts;
    private final Origins origins;
    private final JteViews views;
    private final Assets assets;
    private final Attempts attempts;
    /** Device links an account may make: a few a minute. */
    private final Attempts linkAttempts = new Attempts(Rate.perMinute(5));

    DevicePages(Visitors visitors, AccountStore accounts, Origins origins, JteViews views, Assets assets, Attempts attempts) {
        this.visitors = visitors;
        this.accounts = accounts;
        this.origins = origins;
        this.views = views;
        this.assets = assets;
        this.attempts = attempts;
    }

    /**
     * {@code POST /account/sign-out}: the session is revoked in the database (a copy of the cookie stops
     * working on every node), both cookies are cleared, and the browser is a new guest.
     */
    CompletableFuture<Response> signOut(Request request) {
        requireOurPage(request);
        String sessionId = request.cookie(Visitors.SESSION_COOKIE);
        Identity guest = visitors.identities.newGuest();
        CompletableFuture<Void> revoked = sessionId == null || sessionId.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : accounts.revoke(Visitors.hashOf(sessionId), System.currentTimeMillis());
        return revoked.handle((done, failed) -> AccountPages.answer(failed, () -> {
            if (sessionId != null && !sessionId.isEmpty()) {
                visitors.directory.revoked(Visitors.hashOf(sessionId), System.currentTimeMillis());
            }
            request.identityBecomes(guest);
            Response response = request.header("HX-Request") != null ? Response.noContent() : Response.redirect("/");
            return response.addHeader(HttpHeaderNames.SET_COOKIE, visitors.clearedSessionCookie(request.secureCookies()))
                    .addHeader(HttpHeaderNames.SET_COOKIE, request.setCookie(guest));
        }));
    }

    /** {@code GET /account/sessions}: where this account is signed in; a guest is sent to sign in. */
    CompletableFuture<Response> sessionsPage(Request request) {
        Identity me = request.identity();
        if (!me.hasAccount()) return Response.redirect("/sign-in").now();
        Page page = new Page("Your devices", assets, me);
        long now = System.currentTimeMillis();
        return accounts.sessionsOf(me.userId()).thenApply(sessions -> {
            List<DeviceView> devices = sessions.stream()
                    .filter(s -> visitors.directory.isLive(s.idHash()))
                    .map(s -> DeviceView.of(s, s.idHash().equals(me.session()), now))
                    .toList();
            return Response.html(views.render("sessions.jte", Map.of("page", page, "devices", devices)));
        });
    }

    /**
     * {@code POST /account/sessions/end}: signs one of this account's other devices out. A session of
     * another account is refused as if it did not exist.
     */
    CompletableFuture<Response> endSession(Request request) {
        requireOurPage(request);
        Identity me = request.identity();
        if (!me.hasAccount()) throw HttpException.forbidden("Sign in to end a session.");
        String handle = request.form("session");
        if (handle == null || handle.isEmpty()) throw HttpException.badRequest("Which session? None was named.");
        return accounts.sessionsOf(me.userId()).thenCompose(sessions -> {
            if (sessions.stream().noneMatch(s -> s.idHash().equals(handle))) {
                throw HttpException.notFound("There is no such session of yours.");
            }
            long now = System.currentTimeMillis();
            return accounts.revoke(handle, now).thenApply(done -> {
                visitors.directory.revoked(handle, now);
                log.info("account: {} ended one of their sessions", me.name());
                return Response.redirect("/account/sessions");
            });
        });
    }

    /** How long a device link may wait to be opened. */
    static final long DEVICE_LINK_MS = 10 * 60_000L;

    /**
     * {@code POST /account/devices/link}: a one-time link, and its QR code, that signs another device in to
     * this account; good once, for ten minutes. Limited per account as well as per address.
     */
    CompletableFuture<Response> deviceLink(Request request) {
        String origin = requireOurPage(request);
        Identity me = request.identity();
        if (!me.hasAccount()) throw HttpException.forbidden("Sign in to add a device.");
        attempts.take(request.client());
        linkAttempts.take(me.userId());
        String token = visitors.newSessionId(); // as random as a session's id, and used as one once
        String link = origin + "/account/link/" + token;
        long now = System.currentTimeMillis();
        return accounts.putDeviceLink(Visitors.hashOf(token), me.userId(), now, now + DEVICE_LINK_MS).thenApply(done -> {
            Page page = new Page("Add a device", assets, me);
            return Response.html(views.render("device-link.jte", Map.of("page", page, "link", link,
                    "qr", QrSvg.of(link, "QR code of the link"))));
        });
    }

    /** {@code GET /account/link/{token}}: what the link does, and a button to do it (a preview must not use it up). */
    CompletableFuture<Response> linkPage(Request request) {
        Page page = new Page("Sign in on this device", assets, request.identity());
        return Response.html(views.render("device-sign-in.jte", Map.of("page", page, "token", request.param("token")))).now();
    }

    /** {@code POST /account/link/{token}}: this device is signed in to the link's account, once. */
    CompletableFuture<Response> useLink(Request request) {
        requireOurPage(request);
        attempts.take(request.client());
        String sessionId = visitors.newSessionId();
        long now = System.currentTimeMillis();
        SignIn session = AccountPages.signIn(request, null, sessionId, now); // whose, the link says
        return accounts.useDeviceLink(Visitors.hashOf(request.param("token")), session, now).thenApply(use -> switch (use.outcome()) {
            case ACCEPTED -> {
                visitors.directory.signedIn(session.of(use.userId()));
                log.info("account: {} signed a new device in by a link", request.client());
                yield Response.redirect("/account/passkey")
                        .addHeader(HttpHeaderNames.SET_COOKIE, visitors.sessionCookie(sessionId, request.secureCookies()));
            }
            case USED -> throw new HttpException(HttpResponseStatus.CONFLICT,
                    "This link was already used. Make a new one on your signed-in device.");
            case EXPIRED -> throw new HttpException(HttpResponseStatus.GONE,
                    "This link has expired (they last ten minutes). Make a new one on your signed-in device.");
            case UNKNOWN -> throw HttpException.notFound("There is no such link.");
        });
    }


    private String requireOurPage(Request request) {
        return origins.requireOwnPage(request.header(HttpHeaderNames.ORIGIN), request.client());
    }
}
