package chatroom.web;

import chatroom.account.Account;
import chatroom.account.AccountStore;
import chatroom.account.Directory;
import chatroom.account.Passkeys;
import chatroom.account.Role;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's owners and moderators. An owner is made by an invitation link ({@code admin invite}, run
 * by the operator) accepted by an account; owners appoint and remove moderators on {@code /admin}, which
 * moderators may read and nobody else may find (404, as for a page that does not exist). Opening an
 * invitation only shows it: accepting is a button (a POST from this site's page), so a link preview that
 * fetches the URL does not use it up.
 */
final class AdminPages {

    private static final Logger log = LoggerFactory.getLogger(AdminPages.class);

    private final Visitors visitors;
    private final AccountStore accounts;
    private final Origins origins;
    private final JteViews views;
    private final Assets assets;

    private final Attempts attempts;

    AdminPages(Visitors visitors, AccountStore accounts, Origins origins, JteViews views, Assets assets, Attempts attempts) {
        this.attempts = attempts;
        this.visitors = visitors;
        this.accounts = accounts;
        this.origins = origins;
        this.views = views;
        this.assets = assets;
    }

    /** {@code GET /admin/invite/{token}}: what the invitation is, and Accept (or Keep this name first). */
    CompletableFuture<Response> invitePage(Request request) {
        Page page = new Page("Owner invitation", assets, request.identity());
        return Response.html(views.render("invite.jte", Map.of("page", page, "token", request.param("token")))).now();
    }

    /** {@code POST /admin/invite/{token}}: the account becomes an owner, if the invitation is good. */
    CompletableFuture<Response> acceptInvite(Request request) {
        requireOurPage(request);
        attempts.take(request.client());
        Identity me = request.identity();
        if (!me.hasAccount()) {
            throw HttpException.forbidden("Keep your name with a passkey first: an owner must be an account.");
        }
        String hash = Passkeys.hash(request.param("token").getBytes(StandardCharsets.US_ASCII));
        return accounts.acceptInvite(hash, me.userId(), System.currentTimeMillis()).thenApply(outcome -> switch (outcome) {
            case ACCEPTED -> {
                visitors.directory.roleChanged(me.userId(), Role.OWNER);
                log.info("admin: {} accepted an owner invitation", me.name());
                yield Response.redirect("/admin");
            }
            case USED -> throw new HttpException(HttpResponseStatus.CONFLICT,
                    "This invitation was already used. Ask the server's operator for a new one.");
            case EXPIRED -> throw new HttpException(HttpResponseStatus.GONE,
                    "This invitation has expired. Ask the server's operator for a new one.");
            case UNKNOWN -> throw HttpException.notFound("There is no such invitation.");
        });
    }

    /** {@code GET /admin}: owners and moderators only; anyone else finds nothing here. */
    CompletableFuture<Response> adminPage(Request request) {
        Identity me = request.identity();
        if (me.role() != Role.OWNER && me.role() != Role.MODERATOR) {
            throw HttpException.notFound("There is nothing at /admin.");
        }
        Page page = new Page("Admin", assets, me);
        String guests = visitors.guests().value();
        return accounts.accounts().thenApply(all -> Response.html(views.render("admin.jte",
                Map.of("page", page, "accounts", all, "owner", me.role() == Role.OWNER, "guests", guests))));
    }

    /** {@code POST /admin/role}: an owner makes an account a moderator, or a member again. */
    CompletableFuture<Response> setRole(Request request) {
        requireOurPage(request);
        Identity me = request.identity();
        if (me.role() != Role.OWNER) {
            throw me.role() == Role.MODERATOR ? HttpException.forbidden("Only owners appoint or remove moderators.")
                    : HttpException.notFound("There is nothing at /admin.");
        }
        String userId = request.form("user");
        Role role = switch (String.valueOf(request.form("role"))) {
            case "moderator" -> Role.MODERATOR;
            case "member" -> Role.MEMBER;
            default -> throw HttpException.badRequest("role must be moderator or member");
        };
        Account target = userId == null ? null : visitors.directory.account(userId);
        if (target == null) throw HttpException.notFound("There is no such account.");
        if (target.role() == Role.OWNER) {
            throw HttpException.forbidden("An owner's role is not changed here.");
        }
        return accounts.setRole(userId, role, System.currentTimeMillis()).thenApply(done -> {
            visitors.directory.roleChanged(userId, role);
            log.info("admin: {} made {} a {}", me.name(), target.name(), role.column());
            return Response.redirect("/admin");
        });
    }

    /** {@code POST /admin/guests}: an owner says what guests may do (post, read, off); every node goes by it. */
    CompletableFuture<Response> setGuests(Request request) {
        requireOurPage(request);
        Identity me = request.identity();
        if (me.role() != Role.OWNER) {
            throw me.role() == Role.MODERATOR ? HttpException.forbidden("Only owners say what guests may do.")
                    : HttpException.notFound("There is nothing at /admin.");
        }
        String value = String.valueOf(request.form("guests"));
        if (!java.util.List.of("post", "read", "off").contains(value)) {
            throw HttpException.badRequest("guests must be post, read or off");
        }
        return accounts.setSetting(Directory.GUESTS, value, System.currentTimeMillis()).thenApply(done -> {
            visitors.directory.settingChanged(Directory.GUESTS, value);
            log.info("admin: {} set guests to {}", me.name(), value);
            return Response.redirect("/admin");
        });
    }

    private void requireOurPage(Request request) {
        origins.requireOwnPage(request.header(io.netty.handler.codec.http.HttpHeaderNames.ORIGIN), request.client());
    }
}
