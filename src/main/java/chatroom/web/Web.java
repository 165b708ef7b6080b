package chatroom.web;

import chatroom.Config;
import chatroom.room.MessageFeed;
import chatroom.room.MessageStore;
import chatroom.room.RoomSettings;
import chatroom.room.Rooms;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The web layer's wiring: every route in one table, and the handlers behind them. Built by {@code Main};
 * {@link WebServer} asks it for the handler once it has the set of open sockets.
 */
public final class Web {

    private final Rooms rooms;
    private final MessageStore messages;
    private final JteViews views;
    private final Assets assets;
    private final Identities identities;
    private final Origins origins;
    private final RoomSettings roomSettings;
    private final Settings settings;
    private final Health health;
    private final Site site;

    /** The web layer's own settings, from {@code Config}; pages also show the rooms' limits ({@link RoomSettings}). */
    public record Settings(
            int maxFrameBytes,
            double messagesPerSecond,
            int messageBurst,
            double userMessagesPerSecond,
            int userMessageBurst,
            double ipMessagesPerSecond,
            int ipMessageBurst,
            double framesPerSecond,
            int frameBurst,
            int renamesPerMinute,
            double upgradesPerIpPerSecond,
            int upgradeBurstPerIp,
            double newRoomsPerIpPerSecond,
            int newRoomBurstPerIp,
            int maxConnections,
            Set<String> allowedOrigins,
            Duration requestTimeout,
            Duration httpIdle,
            int maxSocketsPerIp,
            List<String> trustedProxies,
            int ipv6PrefixBits,
            String publicUrl,
            Duration hsts,
            Duration cookieMaxAge,
            boolean publicStatus,
            byte[] sharedSecret,
            boolean clusterMode) {

        /** The edge's settings out of the whole configuration. */
        public static Settings from(Config config) {
            return new Settings(
                    config.maxFrameBytes(),
                    config.messagesPerSecond(),
                    config.messageBurst(),
                    config.userMessagesPerSecond(),
                    config.userMessageBurst(),
                    config.ipMessagesPerSecond(),
                    config.ipMessageBurst(),
                    config.framesPerSecond(),
                    config.frameBurst(),
                    config.renamesPerMinute(),
                    config.upgradesPerIpPerSecond(),
                    config.upgradeBurstPerIp(),
                    config.newRoomsPerIpPerSecond(),
                    config.newRoomBurstPerIp(),
                    config.maxConnections(),
                    config.allowedOrigins(),
                    config.requestTimeout(),
                    config.httpIdle(),
                    config.maxSocketsPerIp(),
                    config.trustedProxies(),
                    config.ipv6PrefixBits(),
                    config.publicUrl(),
                    config.hsts(),
                    config.cookieMaxAge(),
                    config.publicStatus(),
                    config.sharedSecret().map(Config.Secret::bytes).orElse(null),
                    config.clusterMode());
        }
    }

    public Web(Rooms rooms, MessageStore messages, MessageFeed feed, JteViews views, Assets assets, Path secretFile,
            RoomSettings roomSettings, Settings settings) throws IOException {
        this.rooms = rooms;
        this.messages = messages;
        this.views = views;
        this.assets = assets;
        // a cluster node never makes up a secret of its own: the other nodes would reject its cookies
        this.identities = Identities.load(
                settings.sharedSecret(), secretFile, !settings.clusterMode(), settings.cookieMaxAge());
        this.origins = new Origins(settings.allowedOrigins(), settings.publicUrl());
        this.roomSettings = roomSettings;
        this.settings = settings;
        this.health = new Health(messages, feed);
        this.site = new Site(TrustedProxies.of(settings.trustedProxies()),
                new AddressGroups(settings.ipv6PrefixBits()), origins, settings.hsts());
    }

    Settings settings() {
        return settings;
    }

    /**
     * Turns this node unready for good and refuses new sockets: the first step of leaving a cluster
     * (then {@link WebServer#closeGradually}).
     */
    public void startDraining() {
        health.startDraining();
    }

    /** The shares of users and addresses; {@code --rate 0} turns off every message limit, theirs too. */
    private static Senders senders(Settings settings) {
        boolean messagesLimited = settings.messagesPerSecond() > 0;
        return new Senders(
                messagesLimited ? Rate.perSecond(settings.userMessagesPerSecond(), settings.userMessageBurst()) : Rate.OFF,
                messagesLimited ? Rate.perSecond(settings.ipMessagesPerSecond(), settings.ipMessageBurst()) : Rate.OFF,
                Rate.perMinute(settings.renamesPerMinute()));
    }

    HttpHandler httpHandler(ChannelGroup sockets) {
        Senders senders = senders(settings);
        Pages pages = new Pages(rooms, messages, views, assets, identities, origins, roomSettings, sockets,
                settings.publicStatus(), senders, Pages.Pacing.of(settings));
        // a flood is a sender refused this many times in a row: well past any honest burst
        MemberLimits limits = new MemberLimits(Rate.perSecond(settings.messagesPerSecond(), settings.messageBurst()),
                Rate.perSecond(settings.framesPerSecond(), settings.frameBurst()), 50);
        RoomSockets roomSockets = new RoomSockets(rooms, views, identities, origins, sockets, settings.maxFrameBytes(),
                limits, senders, new SocketSlots(settings.maxConnections(), settings.maxSocketsPerIp()),
                new UpgradeRates(settings.upgradesPerIpPerSecond(), settings.upgradeBurstPerIp(),
                        settings.newRoomsPerIpPerSecond(), settings.newRoomBurstPerIp()),
                health);
        Routes routes = new Routes()
                .get("/", pages::lobby)
                .get("/enter", pages::enter)
                .post("/private", pages::createPrivate)
                .post("/name", pages::rename)
                .get("/r/{room}", pages::room)
                .get("/r/{room}/messages", pages::older)
                .websocket("/r/{room}/ws", roomSockets::room)
                .websocket("/connect", roomSockets::connect)
                .get("/static/{file}", assets::serve)
                .get("/status", pages::status)
                .probe("/livez", health::live)
                .probe("/readyz", health::ready);
        return new HttpHandler(routes, identities, new ErrorPages(views, assets, identities), site);
    }
}
