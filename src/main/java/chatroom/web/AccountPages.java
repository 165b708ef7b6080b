package chatroom.web;

import chatroom.account.Account;
import chatroom.account.AccountStore;
import chatroom.account.AccountStore.Purpose;
import chatroom.account.NameKey;
import chatroom.account.NameTakenException;
import chatroom.account.Passkey;
import chatroom.account.Passkeys;
import chatroom.account.Role;
import chatroom.account.SignIn;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.RegistrationData;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeping a name with a passkey, signing in with it, and adding another passkey to an account (signing
 * out, devices and device links are {@link DevicePages}). Each ceremony is two requests: the
 * options (with a fresh challenge, kept in the database as a hash until it is answered or expires) and
 * the answer, checked by {@link Passkeys}. Every request must come from this site's own pages (its
 * {@code Origin}, which is also the origin WebAuthn checks); attempts are limited per address.
 *
 * <p>A refusal says what went wrong for the person in front of the page and never whether some account
 * exists: an unknown passkey and a wrong signature read the same.
 */
final class AccountPages {

    private static final Logger log = LoggerFactory.getLogger(AccountPages.class);
    private static final String NOT_ACCEPTED = "That passkey was not accepted here. Try again, or use another.";
    private static final String EXPIRED_OR_USED = "This request has expired or was answered already. Please try again.";

    private final Visitors visitors;
    private final AccountStore accounts;
    private final Passkeys passkeys;
    private final Origins origins;
    private final JteViews views;
    private final Assets assets;
    private final Attempts attempts;
    /** Sign-ins one account may have tried a minute, from all addresses together. */
    private final Attempts accountAttempts = new Attempts(Rate.perMinute(10));

    AccountPages(Visitors visitors, AccountStore accounts, Passkeys passkeys, Origins origins, JteViews views,
            Assets assets, Attempts attempts) {
        this.visitors = visitors;
        this.accounts = accounts;
        this.passkeys = passkeys;
        this.origins = origins;
        this.views = views;
        this.assets = assets;
        this.attempts = attempts;
    }

    /** {@code GET /sign-in}: the page with the passkey button; the ceremony itself is app.js's. */
    CompletableFuture<Response> signInPage(Request request) {
        Page page = new Page("Sign in", assets, request.identity());
        return Response.html(views.render("sign-in.jte", Map.of("page", page))).now();
    }

    /** {@code POST /account/claim/options}: a guest asks to keep their name; 409 if an account has it. */
    CompletableFuture<Response> claimOptions(Request request) {
        return guarded(() -> claimOptionsNow(request));
    }

    private CompletableFuture<Response> claimOptionsNow(Request request) {
        Passkeys.Site site = siteOf(request);
        attempts.take(request.client());
        Identity me = request.identity();
        if (me.hasAccount()) {
            throw new HttpException(HttpResponseStatus.CONFLICT, "Your name is kept already.");
        }
        if (Identities.isGuestName(me.name())) {
            // every new guest is given one of these: kept, it would turn up on strangers
            throw new HttpException(HttpResponseStatus.CONFLICT, "Choose a name of your own first, then keep it.");
        }
        String holder = visitors.directory.holderOf(NameKey.of(me.name()));
        if (holder != null) {
            throw new HttpException(HttpResponseStatus.CONFLICT, new NameTakenException(me.name()).getMessage());
        }
        return offer(Purpose.CLAIM, me.userId(), challenge -> passkeys.creationOptions(site, challenge, me.userId(), me.name()));
    }

    /** A fresh challenge for {@code purpose}, kept for {@code userId} (null: anyone), and the options carrying it. */
    private CompletableFuture<Response> offer(Purpose purpose, String userId, Function<byte[], String> optionsWith) {
        byte[] challenge = passkeys.challenge();
        String options = optionsWith.apply(challenge);
        return accounts.putChallenge(Passkeys.hash(challenge), purpose, userId, System.currentTimeMillis() + Passkeys.CHALLENGE_MS)
                .handle((done, failed) -> answer(failed, () -> Response.json(options)));
    }

    /**
     * The new passkey a page sent for {@code me}, checked: its challenge was handed out for {@code purpose} to
     * this very visitor, is used up by this answer, and the rest holds ({@link Passkeys#verifyRegistration}).
     */
    private CompletableFuture<Passkey> newPasskey(Request request, Passkeys.Site site, Identity me, Purpose purpose, long now) {
        RegistrationData answer = passkeys.readRegistration(request.body(Passkeys.MAX_ANSWER_BYTES));
        byte[] challenge = Passkeys.challengeOf(answer);
        return accounts.takeChallenge(Passkeys.hash(challenge), purpose, now).thenApply(owner -> {
            if (owner.isEmpty() || !owner.get().equals(me.userId())) throw new Passkeys.Refused(EXPIRED_OR_USED);
            return passkeys.verifyRegistration(answer, site, challenge, me.userId());
        });
    }

    /** {@code POST /account/claim}: the new passkey; the guest becomes an account and is signed in. */
    CompletableFuture<Response> claim(Request request) {
        return guarded(() -> claimNow(request));
    }

    private CompletableFuture<Response> claimNow(Request request) {
        Passkeys.Site site = siteOf(request);
        attempts.take(request.client());
        Identity me = request.identity();
        long now = System.currentTimeMillis();
        return newPasskey(request, site, me, Purpose.CLAIM, now).thenCompose(passkey -> {
            Account account = new Account(me.userId(), me.name(), Role.MEMBER);
            String key = NameKey.of(me.name());
            String sessionId = visitors.newSessionId();
            SignIn session = signIn(request, me.userId(), sessionId, now);
            return accounts.claim(account, key, passkey, session).thenApply(done -> {
                visitors.directory.claimed(account, key, session);
                log.info("account: {} kept the name {} with a passkey", request.client(), account.name());
                return signedIn(request, account, sessionId);
            });
        }).handle((response, failed) -> answer(failed, () -> response));
    }

    /** {@code POST /account/sign-in/options}: a challenge for any passkey of this site. */
    CompletableFuture<Response> signInOptions(Request request) {
        return guarded(() -> signInOptionsNow(request));
    }

    private CompletableFuture<Response> signInOptionsNow(Request request) {
        Passkeys.Site site = siteOf(request);
        attempts.take(request.client());
        return offer(Purpose.SIGN_IN, null, challenge -> passkeys.requestOptions(site, challenge));
    }

    /** {@code POST /account/sign-in}: a passkey's signature over the challenge; a new session if it holds. */
    CompletableFuture<Response> signIn(Request request) {
        return guarded(() -> signInNow(request));
    }

    private CompletableFuture<Response> signInNow(Request request) {
        Passkeys.Site site = siteOf(request);
        attempts.take(request.client());
        AuthenticationData answer = passkeys.readAuthentication(request.body(Passkeys.MAX_ANSWER_BYTES));
        byte[] challenge = Passkeys.challengeOf(answer);
        long now = System.currentTimeMillis();
        return accounts.takeChallenge(Passkeys.hash(challenge), Purpose.SIGN_IN, now)
                .thenCompose(taken -> {
                    if (taken.isEmpty()) throw new Passkeys.Refused(EXPIRED_OR_USED);
                    return accounts.passkey(Passkeys.credentialIdOf(answer));
                })
                .thenCompose(stored -> {
                    String handle = Passkeys.userHandleOf(answer);
                    if (stored.isEmpty() || (handle != null && !handle.equals(stored.get().userId()))) {
                        throw new Passkeys.Refused(NOT_ACCEPTED);
                    }
                    Passkey passkey = stored.get();
                    Account account = visitors.directory.account(passkey.userId());
                    if (account == null) throw new Passkeys.Refused(NOT_ACCEPTED);
                    accountAttempts.take(account.userId()); // however many addresses try one account's passkey
                    long count = passkeys.verifyAuthentication(answer, site, challenge, passkey);
                    String sessionId = visitors.newSessionId();
                    SignIn session = signIn(request, account.userId(), sessionId, now);
                    return accounts.signedIn(passkey.credentialId(), count, session).thenApply(counted -> {
                        if (!counted) {
                            log.warn("account: {} signed in with a passkey of {} whose counter went back to {}: refused"
                                    + " (a copied authenticator?)", request.client(), account.name(), count);
                            throw new Passkeys.Refused(NOT_ACCEPTED);
                        }
                        visitors.directory.signedIn(session);
                        return signedIn(request, account, sessionId);
                    });
                })
                .handle((response, failed) -> answer(failed, () -> response));
    }

    /** {@code GET /account/passkey}: an account adds a passkey on this device. */
    CompletableFuture<Response> passkeyPage(Request request) {
        Identity me = request.identity();
        if (!me.hasAccount()) return Response.redirect("/sign-in").now();
        Page page = new Page("Add a passkey", assets, me);
        return Response.html(views.render("add-passkey.jte", Map.of("page", page))).now();
    }

    /** {@code POST /account/passkey/options}: creation options for another passkey of this account. */
    CompletableFuture<Response> addPasskeyOptions(Request request) {
        return guarded(() -> {
            Passkeys.Site site = siteOf(request);
            attempts.take(request.client());
            Identity me = request.identity();
            if (!me.hasAccount()) throw HttpException.forbidden("Sign in to add a passkey.");
            return offer(Purpose.ADD_PASSKEY, me.userId(),
                    challenge -> passkeys.creationOptions(site, challenge, me.userId(), me.name()));
        });
    }

    /** {@code POST /account/passkey}: the new passkey, kept for this account. */
    CompletableFuture<Response> addPasskey(Request request) {
        return guarded(() -> {
            Passkeys.Site site = siteOf(request);
            attempts.take(request.client());
            Identity me = request.identity();
            if (!me.hasAccount()) throw HttpException.forbidden("Sign in to add a passkey.");
            long now = System.currentTimeMillis();
            return newPasskey(request, site, me, Purpose.ADD_PASSKEY, now)
                    .thenCompose(passkey -> accounts.addPasskey(passkey, now))
                    .thenApply(done -> Response.json("{\"name\":" + JsonText.quoted(me.name()) + "}"))
                    .handle((response, failed) -> answer(failed, () -> response));
        });
    }

    private Response signedIn(Request request, Account account, String sessionId) {
        request.identityBecomes(Identity.of(account, Visitors.hashOf(sessionId)));
        return Response.json("{\"name\":" + JsonText.quoted(account.name()) + "}")
                .addHeader(HttpHeaderNames.SET_COOKIE, visitors.sessionCookie(sessionId, request.secureCookies()));
    }

    /** What is stored of a sign-in by this request: the session id's hash, the browser, the address. */
    static SignIn signIn(Request request, String userId, String sessionId, long now) {
        String agent = request.header(HttpHeaderNames.USER_AGENT);
        agent = agent == null ? "" : agent.length() > 200 ? agent.substring(0, 200) : agent;
        return new SignIn(Visitors.hashOf(sessionId), userId, now, agent, request.client().toString());
    }

    /** The ceremony's site: the request's Origin, which must be one of this site's own pages. */
    private Passkeys.Site siteOf(Request request) {
        String origin = requireOurPage(request);
        Passkeys.Site site = Passkeys.Site.of(origin);
        if (site == null) throw HttpException.badRequest(Passkeys.Site.whyNot(origin));
        return site;
    }

    /** Refuses a request that is not from this site's own pages: no Origin, or another one. */
    private String requireOurPage(Request request) {
        return origins.requireOwnPage(request.header(HttpHeaderNames.ORIGIN), request.client());
    }

    private interface Handler {
        CompletableFuture<Response> handle();
    }

    /** A refusal thrown before the first future (a bad Origin, an unreadable answer) answered like a later one. */
    private static CompletableFuture<Response> guarded(Handler handler) {
        try {
            return handler.handle();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(answer(e, null));
        }
    }

    interface Answer {
        Response get();
    }

    /** The response, or the refusal a failure stands for: the person's own words, never a stack trace. */
    static Response answer(Throwable failed, Answer ok) {
        if (failed == null) return ok.get();
        Throwable cause = failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed;
        return switch (cause) {
            case Passkeys.Refused refused -> {
                log.info("account: refused: {}", refused.getMessage());
                yield Response.json(HttpResponseStatus.FORBIDDEN, error(refused.getMessage().startsWith("the passkey was not accepted")
                        ? NOT_ACCEPTED : refused.getMessage()));
            }
            case NameTakenException taken -> Response.json(HttpResponseStatus.CONFLICT, error(taken.getMessage()));
            case IllegalStateException conflict -> Response.json(HttpResponseStatus.CONFLICT, error("Your name is kept already."));
            case HttpException http -> {
                Response response = Response.json(http.status, error(http.getMessage()));
                yield http.retryAfterSeconds > 0 ? response.header(HttpHeaderNames.RETRY_AFTER, http.retryAfterSeconds) : response;
            }
            default -> {
                log.warn("account: failed", cause);
                yield Response.json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        error("The server could not answer just now. Please try again."));
            }
        };
    }

    private static String error(String message) {
        return "{\"error\":" + JsonText.quoted(message) + "}";
    }
}
