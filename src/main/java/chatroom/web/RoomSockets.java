package chatroom.web;

import chatroom.metrics.Meters;
import chatroom.room.Member;
import chatroom.room.RoomHost;
import chatroom.room.RoomName;
import chatroom.room.RoomViews;
import chatroom.room.Rooms;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket endpoint of every room: checks an upgrade (origin, the address's upgrade and new-room
 * rates, connection limits, the node's room cap, identity), performs the handshake, and hands the
 * connection to a {@link WebSocketMember} in its room. Called by {@link HttpHandler} on the connection's
 * event loop.
 *
 * <p>Refusals before the handshake are HTTP statuses (403, 429, 503), which a browser's page cannot read;
 * the one a page must be able to show, a node hosting as many rooms as it may, is a handshake followed by
 * a close with 1013 and a reason ({@link Member.CloseReason#BUSY}): htmx reconnects after it, and the page
 * says that the server is busy meanwhile.
 */
final class RoomSockets {

    /** {@code /connect} without a room name joins this room: clients of the original serverless chatroom use it. */
    static final RoomName DEFAULT_ROOM = RoomName.parse("general");

    /** The names Netty's handshaker gives the frame decoder and encoder it adds, which we take out again. */
    private static final String WS_DECODER = "wsdecoder";
    private static final String WS_ENCODER = "wsencoder";
    /** A refused socket that does not answer our close frame within this time is cut off without it. */
    private static final long CLOSE_GRACE_MILLIS = 1_000;

    private final Rooms rooms;
    private final RoomViews views;
    private final Origins origins;
    private final ChannelGroup sockets;
    private final WebSocketDecoderConfig decoderConfig;
    private final int maxFrameBytes;
    private final MemberLimits limits;
    private final Senders senders;
    private final SocketSlots slots;
    private final UpgradeRates rates;
    private final Health health;
    private final SessionSockets sessionSockets;
    private final Visitors visitors;

    RoomSockets(Rooms rooms, RoomViews views, Visitors visitors, Origins origins, SessionSockets sessionSockets, ChannelGroup sockets,
            int maxFrameBytes, MemberLimits limits, Senders senders, SocketSlots slots, UpgradeRates rates,
            Health health) {
        this.rooms = rooms;
        this.views = views;
        this.origins = origins;
        this.sessionSockets = sessionSockets;
        this.visitors = visitors;
        this.sockets = sockets;
        this.maxFrameBytes = maxFrameBytes;
        this.limits = limits;
        this.senders = senders;
        this.slots = slots;
        this.rates = rates;
        this.health = health;
        // only the handshake reads this (the member reads the frames): it agrees to no extension, since
        // permessage-deflate would hold ~300 KB of zlib state per socket
        this.decoderConfig = WebSocketDecoderConfig.newBuilder().allowExtensions(false).build();
    }

    /** {@code /r/{room}/ws?after=seq}. */
    void room(Request request) {
        join(request, RoomName.parse(request.param("room")));
    }

    /** {@code /connect} (and {@code /connect?room=name}), the address clients of the original serverless chatroom connect to. */
    void connect(Request request) {
        String room = request.query("room");
        join(request, room == null ? DEFAULT_ROOM : RoomName.parse(room));
    }

    private void join(Request request, RoomName name) {
        if (!origins.allows(request.header(HttpHeaderNames.ORIGIN), request.client())) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.ORIGIN);
            throw HttpException.forbidden("WebSocket connections are only accepted from this site's own pages.");
        }
        if (health.draining()) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.DRAINING);
            // the page reconnects on its own; the load balancer sends it to a node that is staying
            throw new HttpException(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "This server is restarting. Please connect again in a moment.");
        }
        // every attempt counts, answered or not: a client that enters room after room and leaves each at
        // once holds no socket for the socket caps to see
        rates.upgrade(request.client());
        if (!rooms.hosts(name)) {
            rates.newRoom(request.client());
        }
        long afterSeq = afterSeq(request.query("after"));
        Identity identity = request.identity();
        visitors.requireGuestsAllowed(identity);
        Channel channel = request.ctx.channel();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
                        "ws://" + request.header(HttpHeaderNames.HOST) + request.path, null, decoderConfig)
                .newHandshaker(request.http);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
            return;
        }
        // the slot is the last check: from here on, only the channel's closing gives it back
        slots.take(request.client(), channel);
        HttpHeaders extra = new DefaultHttpHeaders();
        if (identity.issued()) {
            extra.set(HttpHeaderNames.SET_COOKIE, request.setCookie(identity));
        }
        RoomHost host = rooms.admit(name);
        if (host == null) {
            Meters.upgradeRefused(Meters.UpgradeRefusal.ROOMS_FULL);
            refuseBusy(request, handshaker, extra);
            return;
        }
        // shared with the user's and the address's other sockets from now until this one closes
        String userId = identity.userId();
        Senders.Sender user = senders.opened(userId, host);
        Senders.Sender address = senders.opened(request.client(), host);
        if (address != null) {
            String key = request.client().limitKey();
            channel.closeFuture().addListener(closed -> senders.closed(key, address, host, null));
        }
        WebSocketMember member = new WebSocketMember(channel, host, identity.author(), identity.standing(), views, limits, user, address,
                maxFrameBytes, request.client().ip());
        senders.joined(userId, host, member);
        sessionSockets.opened(identity, member, channel);
        channel.closeFuture().addListener(closed -> senders.closed(userId, user, host, member));
        ChannelPipeline pipeline = channel.pipeline();
        HttpTimeouts.remove(pipeline); // from now on --socket-idle watches the socket
        handshaker.handshake(channel, request.http, extra, channel.newPromise()).addListener(done -> {
            if (done.isSuccess()) {
                Meters.upgraded();
                sockets.add(channel);
                host.join(member, afterSeq);
            } else {
                channel.close();
            }
        });
        // the handshaker put Netty's frame decoder and encoder in front of the HTTP codec (which goes once the
        // 101 is written); the member reads frames itself and everything written to it is an encoded frame,
        // so both go at once, and the member takes the decoder's place: first to see the socket's bytes
        pipeline.remove(WS_ENCODER);
        pipeline.replace(WS_DECODER, "member", member);
        pipeline.remove(request.ctx.name());
    }

    /**
     * Completes the handshake only to close with {@link Member.CloseReason#BUSY}: the one refusal a page can
     * read. Nothing of a room is made; the socket holds its slot until the client answers the close, or for
     * {@link #CLOSE_GRACE_MILLIS} at most.
     */
    private void refuseBusy(Request request, WebSocketServerHandshaker handshaker, HttpHeaders extra) {
        Channel channel = request.ctx.channel();
        ChannelPipeline pipeline = channel.pipeline();
        HttpTimeouts.remove(pipeline);
        Member.CloseReason busy = Member.CloseReason.BUSY;
        handshaker.handshake(channel, request.http, extra, channel.newPromise()).addListener(done -> {
            if (!done.isSuccess()) {
                channel.close();
                return;
            }
            Meters.closedByServer(busy.code);
            channel.writeAndFlush(ControlFrames.close(channel.alloc(), busy.code, busy.text), channel.voidPromise());
            channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        });
        pipeline.remove(WS_ENCODER);
        pipeline.replace(WS_DECODER, "refused", new Refused(maxFrameBytes));
        pipeline.remove(request.ctx.name());
    }

    /** Reads what a refused socket sends until its close, which ends the connection; the rest is ignored. */
    private static final class Refused extends WebSocketFrameReader {

        Refused(int maxFrameBytes) {
            super(hardFrameCap(maxFrameBytes));
        }

        @Override
        void onText(ChannelHandlerContext ctx, ByteBuf payload) {}

        @Override
        void onBinary(ChannelHandlerContext ctx, ByteBuf payload) {}

        @Override
        void onPing(ChannelHandlerContext ctx, ByteBuf payload) {}

        @Override
        void onPong(ChannelHandlerContext ctx) {}

        @Override
        void onClose(ChannelHandlerContext ctx, ByteBuf payload) {
            ctx.close(); // the client's answer to our close
        }

        @Override
        void onProtocolError(ChannelHandlerContext ctx, int code, String reason) {
            ctx.close();
        }
    }

    /**
     * Four times the limit, at least 64 KiB: room for an honest mistake, not for abuse. Messages up to it
     * are read whole and refused politely (1009) by the member; one past it is refused as soon as its
     * frame header says so, before it is buffered.
     */
    static int hardFrameCap(int maxFrameBytes) {
        return Math.max(4 * maxFrameBytes, 64 * 1024);
    }

    private static long afterSeq(String raw) {
        if (raw == null) {
            return -1;
        }
        try {
            long seq = Long.parseLong(raw);
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpException.badRequest("after must be a message number, 0 or more; got '" + raw + "'");
    }
}
