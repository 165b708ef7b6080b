package chatroom.web;

import chatroom.metrics.Meters;
import chatroom.room.RoomHost;
import chatroom.room.RoomName;
import chatroom.room.RoomViews;
import chatroom.room.Rooms;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.channel.group.ChannelGroup;

/**
 * The WebSocket endpoint of every room: checks an upgrade (origin, connection limit, identity), performs
 * the handshake, and hands the connection to a {@link WebSocketMember} in its room. Called by {@link
 * HttpHandler} on the connection's event loop.
 */
final class RoomSockets {

    /** {@code /connect} without a room name joins this room: clients of the original serverless chatroom use it. */
    static final RoomName DEFAULT_ROOM = RoomName.parse("general");

    /** The names Netty's handshaker gives the frame decoder and encoder it adds, which we take out again. */
    private static final String WS_DECODER = "wsdecoder";
    private static final String WS_ENCODER = "wsencoder";

    private final Rooms rooms;
    private final RoomViews views;
    private final Identities identities;
    private final Origins origins;
    private final ChannelGroup sockets;
    private final WebSocketDecoderConfig decoderConfig;
    private final int maxFrameBytes;
    private final MemberLimits limits;
    private final Senders senders;
    private final SocketSlots slots;
    private final Health health;

    RoomSockets(Rooms rooms, RoomViews views, Identities identities, Origins origins, ChannelGroup sockets,
            int maxFrameBytes, MemberLimits limits, Senders senders, SocketSlots slots, Health health) {
        this.rooms = rooms;
        this.views = views;
        this.identities = identities;
        this.origins = origins;
        this.sockets = sockets;
        this.maxFrameBytes = maxFrameBytes;
        this.limits = limits;
        this.senders = senders;
        this.slots = slots;
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
        long afterSeq = afterSeq(request.query("after"));
        Identity identity = request.identity();
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
        RoomHost host = rooms.get(name);
        // shared with the user's and the address's other sockets from now until this one closes
        String userId = identity.userId();
        Senders.Sender user = senders.opened(userId, host);
        channel.closeFuture().addListener(closed -> senders.closed(userId, user, host));
        Senders.Sender address = senders.opened(request.client(), host);
        if (address != null) {
            String key = request.client().limitKey();
            channel.closeFuture().addListener(closed -> senders.closed(key, address, host));
        }
        WebSocketMember member = new WebSocketMember(channel, host, identity.author(), views, limits, user, address,
                maxFrameBytes, request.client().ip());
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
