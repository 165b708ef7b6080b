package chatroom.web;

import chatroom.Config;
import chatroom.account.AccountStore;
import chatroom.account.Directory;
import chatroom.account.Passkeys;
import chatroom.room.MessageFeed;
import chatroom.room.MessageStore;
import chatroom.room.RoomSettings;
import chatroom.room.Rooms;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;

/**
 * The web layer's wiring: every route in one table, and the handlers behind them. Built by {@code Main};
 * {@link WebServer} asks it for the handler once it has the set of open sockets.
 */
public final class Web {

    private final Rooms rooms;
    private final MessageStore messages;
    private final JteViews views;
    private final Assets assets;
    private final Visitors visitors;
    private final SessionSockets sessionSockets;
    private final AccountStore accounts;
    private final Origins origins;
    private final RoomSettings roomSettings;
    private final Config.Listen listen;
    private final Config.Limits limits;
    private final Health health;
    private final Site site;

    /**
     * The edge over the areas of the configuration it serves by: where it listens and what it believes of
     * requests, the limits it enforces, and how it recognises visitors; pages also show the rooms' limits
     * ({@link RoomSettings}). A cluster node never makes up an identity secret of its own: the other nodes
     * would reject its cookies.
     */
    public Web(Rooms rooms, MessageStore messages, AccountStore accounts, Directory directory,
            java.util.function.Supplier<chatroom.room.GuestPolicy> guests, MessageFeed feed, JteViews views, Assets assets,
            RoomSettings roomSettings, Config.Listen listen, Config.Limits limits, Config.Identity identity,
            boolean clusterMode) throws IOException {
        this.rooms = rooms;
        this.messages = messages;
        this.views = views;
        this.assets = assets;
        Identities identities = Identities.load(identity.sharedSecret().map(Config.Secret::bytes).orElse(null),
                identity.secretFile(), !clusterMode, identity.cookieMaxAge());
        this.visitors = new Visitors(identities, directory, accounts, identity.cookieMaxAge(), guests,
                identity.authHeader(), identity.authNameHeader());
        this.sessionSockets = new SessionSockets(directory);
        this.accounts = accounts;
        this.origins = new Origins(listen.allowedOrigins(), listen.publicUrl());
        this.roomSettings = roomSettings;
        this.listen = listen;
        this.limits = limits;
        this.health = new Health(messages, feed);
        this.site = new Site(TrustedProxies.of(listen.trustedProxies()),
                new AddressGroups(limits.ipv6PrefixBits()), origins, listen.hsts());
    }

    /**
     * Passkey requests (options and answers, two per sign-in) an address may make a minute: a person needs
     * a few, a script trying passkeys or replaying answers gets a 429.
     */
    static final int SIGN_IN_ATTEMPTS_PER_MINUTE = 30;

    Config.Listen listen() {
        return listen;
    }

    Config.Limits limits() {
        return limits;
    }

    /**
     * Turns this node unready for good and refuses new sockets: the first step of leaving a cluster
     * (then {@link WebServer#closeGradually}).
     */
    public void startDraining() {
        health.startDraining();
    }

    /** The shares of users and addresses; {@code --rate 0} turns off every message limit, theirs too. */
    private static Senders senders(Config.Limits limits) {
        boolean messagesLimited = limits.messages().perSecond() > 0;
        return new Senders(
                messagesLimited ? rate(limits.userMessages()) : Rate.OFF,
                messagesLimited ? rate(limits.ipMessages()) : Rate.OFF,
                Rate.perMinute(limits.renamesPerMinute()));
    }

    private static Rate rate(Config.Rate rate) {
        return Rate.perSecond(rate.perSecond(), rate.burst());
    }

    HttpHandler httpHandler(ChannelGroup sockets) {
        Senders senders = senders(limits);
        Pages pages = new Pages(rooms, messages, views, assets, visitors, accounts, origins, roomSettings, sockets,
                listen.publicStatus(), senders, Pages.Pacing.of(limits));
        // a flood is a sender refused this many times in a row: well past any honest burst
        MemberLimits memberLimits = new MemberLimits(rate(limits.messages()), rate(limits.frames()), 50);
        Config.Rate upgrades = limits.upgradesPerIp();
        Config.Rate newRooms = limits.newRoomsPerIp();
        Attempts signInAttempts = new Attempts(Rate.perMinute(SIGN_IN_ATTEMPTS_PER_MINUTE));
        AccountPages accountPages = new AccountPages(visitors, accounts, new Passkeys(), origins, views, assets,
                signInAttempts);
        DevicePages devicePages = new DevicePages(visitors, accounts, origins, views, assets, signInAttempts);
        AdminPages adminPages = new AdminPages(visitors, accounts, origins, views, assets, signInAttempts);
        RoomSockets roomSockets = new RoomSockets(rooms, views, visitors, origins, sessionSockets, sockets, limits.maxFrameBytes(),
                memberLimits, senders, new SocketSlots(limits.maxConnections(), limits.maxSocketsPerIp()),
                new UpgradeRates(upgrades.perSecond(), upgrades.burst(), newRooms.perSecond(), newRooms.burst()),
                health);
        Routes routes = new Routes()
                .get("/", pages::lobby)
                .get("/enter", pages::enter)
                .post("/private", pages::createPrivate)
                .post("/name", pages::rename)
                .get("/sign-in", accountPages::signInPage)
                .post("/account/claim/options", accountPages::claimOptions)
                .post("/account/claim", accountPages::claim)
                .post("/account/sign-in/options", accountPages::signInOptions)
                .post("/account/sign-in", accountPages::signIn)
                .post("/account/sign-out", devicePages::signOut)
                .get("/account/sessions", devicePages::sessionsPage)
                .get("/admin", adminPages::adminPage)
                .post("/admin/role", adminPages::setRole)
                .post("/admin/guests", adminPages::setGuests)
                .get("/admin/invite/{token}", adminPages::invitePage)
                .post("/admin/invite/{token}", adminPages::acceptInvite)
                .post("/account/sessions/end", devicePages::endSession)
                .post("/account/devices/link", devicePages::deviceLink)
                .get("/account/link/{token}", devicePages::linkPage)
                .post("/account/link/{token}", devicePages::useLink)
                .get("/account/passkey", accountPages::passkeyPage)
                .post("/account/passkey/options", accountPages::addPasskeyOptions)
                .post("/account/passkey", accountPages::addPasskey)
                .get("/r/{room}", pages::room)
                .get("/r/{room}/messages", pages::older)
                .websocket("/r/{room}/ws", roomSockets::room)
                .websocket("/connect", roomSockets::connect)
                .get("/static/{file}", assets::serve)
                .get("/status", pages::status)
                .probe("/livez", health::live)
                .probe("/readyz", health::ready);
        return new HttpHandler(routes, visitors, new ErrorPages(views, assets, visitors.identities), site);
    }
}
