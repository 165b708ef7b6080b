package chatroom.web;

import chatroom.Config;
import chatroom.room.MessageStore;
import chatroom.room.Rooms;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The web layer's wiring: every route in one table, and the handlers behind them. Built by {@code Main}.
 */
public final class Web {

    private final Rooms rooms;
    private final MessageStore messages;
    private final JteViews views;
    private final Assets assets;
    private final Identities identities;
    private final Origins origins;
    private final Settings settings;
    private final Site site;

    /** The web layer's own settings, from {@code Config}. */
    public record Settings(
            int historyMessages,
            int maxMessageChars,
            int maxFrameBytes,
            double messagesPerSecond,
            int messageBurst,
            int maxConnections,
            Set<String> allowedOrigins,
            Duration requestTimeout,
            Duration httpIdle,
            int maxSocketsPerIp,
            List<String> trustedProxies,
            String publicUrl,
            Duration hsts,
            Duration cookieMaxAge,
            boolean publicStatus) {

        /** The edge's settings out of the whole configuration. */
        public static Settings from(Config config) {
            return new Settings(
                    config.historyMessages(),
                    config.maxMessageChars(),
                    config.maxFrameBytes(),
                    config.messagesPerSecond(),
                    config.messageBurst(),
                    config.maxConnections(),
                    config.allowedOrigins(),
                    config.requestTimeout(),
                    config.httpIdle(),
                    config.maxSocketsPerIp(),
                    config.trustedProxies(),
                    config.publicUrl(),
                    config.hsts(),
                    config.cookieMaxAge(),
                    config.publicStatus());
        }
    }

    public Web(Rooms rooms, MessageStore messages, JteViews views, Assets assets, Path secretFile,
            Settings settings) throws IOException {
        this.rooms = rooms;
        this.messages = messages;
        this.views = views;
        this.assets = assets;
        this.identities = Identities.withSecretFile(secretFile, settings.cookieMaxAge());
        this.origins = new Origins(settings.allowedOrigins(), settings.publicUrl());
        this.settings = settings;
        this.site = new Site(TrustedProxies.of(settings.trustedProxies()), origins, settings.hsts());
    }

    Settings settings() {
        return settings;
    }

    HttpHandler httpHandler(ChannelGroup sockets) {
        Pages pages = new Pages(rooms, messages, views, assets, identities, origins, settings.historyMessages(),
                settings.maxMessageChars(), settings.publicStatus());
        // a flood is a sender refused this many times in a row: well past any honest burst
        MemberLimits limits = new MemberLimits(settings.messagesPerSecond(), settings.messageBurst(), 50);
        RoomSockets roomSockets = new RoomSockets(rooms, views, identities, origins, sockets, settings.maxFrameBytes(),
                limits, new SocketSlots(settings.maxConnections(), settings.maxSocketsPerIp()));
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
                .get("/status", pages::status);
        return new HttpHandler(routes, identities, new ErrorPages(views, assets, identities), site);
    }
}
