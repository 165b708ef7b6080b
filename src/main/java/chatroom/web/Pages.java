package chatroom.web;

import chatroom.Config;
import chatroom.account.AccountStore;
import chatroom.account.NameKey;
import chatroom.account.NameTakenException;
import chatroom.room.Command;
import chatroom.room.GuestPolicy;
import chatroom.room.Message;
import chatroom.room.MessageStore;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomHost;
import chatroom.room.RoomName;
import chatroom.room.RoomSettings;
import chatroom.room.RoomViews;
import chatroom.room.Rooms;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP pages: the lobby, a room's page, older messages for scroll-back, and the forms that enter a
 * room, create a private one and change one's name. Reads go to the store asynchronously; nothing here
 * blocks an event loop.
 */
final class Pages {

    /** The lobby lists at most this many rooms. */
    private static final int LOBBY_ROOMS = 50;

    private final Rooms rooms;
    private final MessageStore messages;
    private final JteViews views;
    private final Assets assets;
    private final Visitors visitors;
    private final AccountStore accounts;
    private final Origins origins;
    private final RoomSettings settings;
    private final ChannelGroup sockets;
    private final boolean publicStatus;
    private final Senders senders;
    private final Pacing pacing;

    /**
     * How a room's page paces its own sends, rendered into the composer for app.js: at most {@code window}
     * messages sent and not yet answered, and no more than {@code perSecond} with {@code burst} at once
     * (the strictest of the server's message limits; 0 per second: no limit). The server's limits stay
     * what decides; this keeps an honest page under them, also when what it sent arrives all at once
     * after a stall.
     */
    record Pacing(int window, double perSecond, int burst) {

        /** Most messages a page has on their way at once: a few, and fewer than any burst the server allows. */
        static final int MAX_WINDOW = 10;

        static Pacing of(Config.Limits limits) {
            if (limits.messages().perSecond() <= 0) {
                return new Pacing(MAX_WINDOW, 0, 0); // --rate 0: no message limit at all
            }
            double perSecond = limits.messages().perSecond();
            int burst = limits.messages().burst();
            for (Config.Rate shared : List.of(limits.userMessages(), limits.ipMessages())) {
                if (shared.perSecond() > 0) {
                    perSecond = Math.min(perSecond, shared.perSecond());
                    burst = Math.min(burst, shared.burst());
                }
            }
            return new Pacing(Math.clamp(burst / 2, 1, MAX_WINDOW), perSecond, burst);
        }
    }

    Pages(Rooms rooms, MessageStore messages, JteViews views, Assets assets, Visitors visitors, AccountStore accounts,
            Origins origins, RoomSettings settings, ChannelGroup sockets, boolean publicStatus, Senders senders, Pacing pacing) {
        this.rooms = rooms;
        this.messages = messages;
        this.views = views;
        this.assets = assets;
        this.visitors = visitors;
        this.accounts = accounts;
        this.origins = origins;
        this.settings = settings;
        this.sockets = sockets;
        this.publicStatus = publicStatus;
        this.senders = senders;
        this.pacing = pacing;
    }

    /** {@code GET /}: public rooms, busiest first, then recently active ones that are empty now. */
    CompletableFuture<Response> lobby(Request request) {
        Page page = new Page("Rooms", assets, request.identity());
        if (!page.me().hasAccount() && visitors.guests() == GuestPolicy.OFF) {
            // which rooms exist is for people with an account too
            return Response.html(views.render("lobby.jte", Map.of("page", page, "rooms", List.of(), "closed", true))).now();
        }
        return messages.recentRooms(LOBBY_ROOMS).thenApply(recent -> {
            Map<String, LobbyRoom> listed = new LinkedHashMap<>();
            for (PresenceBoard.Occupancy o : rooms.busiest(LOBBY_ROOMS)) {
                listed.put(o.name().value(), new LobbyRoom(o.name().value(), o.people()));
            }
            for (String name : recent) {
                if (listed.size() >= LOBBY_ROOMS) {
                    break;
                }
                listed.putIfAbsent(name, new LobbyRoom(name, 0));
            }
            List<LobbyRoom> list = new ArrayList<>(listed.values());
            return Response.html(views.render("lobby.jte", Map.of("page", page, "rooms", list, "closed", false)));
        });
    }

    /** {@code GET /enter?room=name}: the lobby's form, sent on to the room's page. */
    CompletableFuture<Response> enter(Request request) {
        RoomName name = RoomName.parse(request.query("room"));
        return Response.redirect("/r/" + name.value()).now();
    }

    /** {@code GET /r/{room}}: the room with its latest messages; the page's socket catches up from there. */
    CompletableFuture<Response> room(Request request) {
        RoomName name = RoomName.parse(request.param("room"));
        if (!name.value().equals(request.param("room"))) {
            return Response.redirect("/r/" + name.value()).now(); // one address per room
        }
        visitors.requireGuestsAllowed(request.identity());
        Page page = new Page(title(name), assets, request.identity());
        int limit = settings.historyMessages();
        return messages.before(name.value(), Long.MAX_VALUE, limit).thenCompose(history -> readBelow(name, history,
                Long.MAX_VALUE).thenApply(below -> {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("page", page);
                params.put("room", name.value());
                params.put("title", title(name));
                params.put("messages", views.views(history));
                params.put("olderBefore", RoomViews.olderBefore(history));
                params.put("olderPruned", RoomViews.olderPruned(history, limit, below));
                params.put("isPrivate", name.isPrivate());
                params.put("maxMessageChars", settings.maxMessageChars());
                params.put("sendWindow", pacing.window());
                params.put("sendRate", pacing.perSecond());
                params.put("sendBurst", pacing.burst());
                return Response.html(views.render("room.jte", params));
            }));
    }

    /**
     * {@code GET /r/{room}/messages?before=seq}: the page of messages above the oldest one shown. With {@code
     * &from=seq} (a reply's quote clicked, its original not on the page) it reaches down to that message,
     * if it is at most {@link #JUMP_MESSAGES} back; the page asks again from the new oldest if not.
     */
    CompletableFuture<Response> older(Request request) {
        RoomName name = RoomName.parse(request.param("room"));
        visitors.requireGuestsAllowed(request.identity());
        long before = parseSeq("before", request.query("before"));
        String from = request.query("from");
        int limit = from == null ? settings.historyMessages()
                : (int) Math.clamp(before - parseSeq("from", from), settings.historyMessages(), JUMP_MESSAGES);
        return messages.before(name.value(), before, limit).thenCompose(page -> readBelow(name, page, before)
                .thenApply(below -> Response.html(views.render("fragments/page-of-messages.jte", Map.of(
                        "room", name.value(),
                        "messages", views.views(page),
                        "olderBefore", RoomViews.olderBefore(page),
                        "olderPruned", RoomViews.olderPruned(page, limit, below))))));
    }

    /**
     * The seq below which {@code page} was read, as {@link RoomViews#olderPruned} needs it: when the page came
     * back empty, the room's counter tells a room never written (0) from one whose messages were all pruned.
     */
    private CompletableFuture<Long> readBelow(RoomName name, List<Message> page, long before) {
        if (!page.isEmpty()) return CompletableFuture.completedFuture(before);
        return messages.lastSeqs(List.of(name.value()))
                .thenApply(last -> Math.min(before, last.getOrDefault(name.value(), 0L) + 1));
    }

    /** {@code POST /private}: a new private room, then its page. */
    CompletableFuture<Response> createPrivate(Request request) {
        requireSameOrigin(request);
        return Response.redirect("/r/" + RoomName.newPrivate().value()).now();
    }

    /**
     * {@code POST /name}: a new display name, shown in every room the user is in on this node (a cluster's
     * other nodes hear of it from those rooms): a guest's is kept in the cookie, an account's in the
     * database. Refused with 409 when an account keeps that name or one that looks like it, and with 429,
     * the name unchanged, when the user renames too often: each rename is a notice in each of those rooms.
     */
    CompletableFuture<Response> rename(Request request) {
        requireSameOrigin(request);
        Identity me = request.identity();
        if (me.viaProxy()) {
            throw new HttpException(HttpResponseStatus.CONFLICT, "Your name comes from your organisation's sign-in;"
                    + " change it there.");
        }
        Identity renamed = visitors.identities.renamed(me, request.form("name"));
        String key = NameKey.of(renamed.name());
        try {
            visitors.directory.checkFree(renamed.name(), me.userId());
        } catch (NameTakenException e) {
            throw new HttpException(HttpResponseStatus.CONFLICT, e.getMessage());
        }
        if (!me.hasAccount()) {
            tellRooms(senders.renaming(renamed.userId()), renamed.name());
            return renamed(request, request.setCookie(renamed)).now();
        }
        java.util.Collection<Senders.Socket> sockets = senders.renaming(me.userId()); // the allowance is spent before the write
        return accounts.rename(me.userId(), renamed.name(), key, System.currentTimeMillis())
                .handle((done, failed) -> {
                    if (failed != null) {
                        Throwable cause = failed instanceof java.util.concurrent.CompletionException ? failed.getCause() : failed;
                        if (cause instanceof NameTakenException taken) {
                            throw new HttpException(HttpResponseStatus.CONFLICT, taken.getMessage());
                        }
                        throw new HttpException(HttpResponseStatus.SERVICE_UNAVAILABLE, "The name was not saved: the"
                                + " database did not answer. Please try again.");
                    }
                    visitors.directory.renamed(me.userId(), renamed.name(), key);
                    tellRooms(sockets, renamed.name());
                    return renamed(request, null);
                });
    }

    private static void tellRooms(java.util.Collection<Senders.Socket> sockets, String name) {
        for (Senders.Socket socket : sockets) {
            socket.room().handle(socket.member(), new Command.Rename(name));
        }
    }

    /** The answer to a rename: nothing for htmx, back to the page otherwise; the guest cookie if there is one. */
    private Response renamed(Request request, String cookie) {
        Response response;
        if (request.header("HX-Request") != null) {
            response = Response.noContent();
        } else {
            String back = request.header(HttpHeaderNames.REFERER);
            response = Response.redirect(back != null && origins.allows(originOf(back), request.client()) ? back : "/");
        }
        return cookie == null ? response : response.header(HttpHeaderNames.SET_COOKIE, cookie);
    }

    /**
     * {@code GET /status}: counts for operators and tests. Only for this machine unless {@code
     * --public-status}: the counts say how busy the server is, which is nobody else's business. A request
     * relayed by a proxy on this machine is not from this machine, trusted proxy or not.
     */
    CompletableFuture<Response> status(Request request) {
        if (!publicStatus && !request.fromThisMachine()) {
            throw HttpException.forbidden("/status answers only requests from this machine; start the server with "
                    + "--public-status true to open it to others.");
        }
        return Response.json("{\"connections\":" + sockets.size()
                        + ",\"awakeRooms\":" + rooms.awakeCount()
                        + ",\"asleepRooms\":" + rooms.asleepCount() + "}")
                .now();
    }

    private void requireSameOrigin(Request request) {
        if (!origins.allows(request.header(HttpHeaderNames.ORIGIN), request.client())) {
            throw HttpException.forbidden("This form may only be sent from this site's own pages.");
        }
    }

    private static String originOf(String url) {
        int slash = url.indexOf('/', url.indexOf("//") + 2);
        return slash < 0 ? url : url.substring(0, slash);
    }

    private static String title(RoomName name) {
        return name.isPrivate() ? "Private room" : "#" + name.value();
    }

    /** The most messages one page of older history holds when the reader jumps to an original far back. */
    static final int JUMP_MESSAGES = 1_000;

    private static long parseSeq(String name, String raw) {
        try {
            long seq = Long.parseLong(raw);
            if (seq > 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpException.badRequest(name + " must be a message number above 0; got '" + raw + "'");
    }
}
