package chatroom.web;

import chatroom.room.Author;
import chatroom.room.Member;
import chatroom.room.Fragment;
import chatroom.room.RoomHost;
import chatroom.room.RoomViews;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visitor's WebSocket in one room: the last handler of its pipeline, and the {@link Member} its
 * room writes to. It answers {@code ping} itself, without waking the room,
 * applies the per-connection rate limit, parses frames into room events, and turns a full send queue
 * into a close with 1013 so that one slow reader cannot hold the room back.
 *
 * <p>This object and its pipeline are all that an idle connection holds, so it is kept small: no
 * buffers, no timers. Frames are read on the channel's event loop; {@link #send} is called from the
 * room's thread and only queues a write.
 */
final class WebSocketMember extends ChannelInboundHandlerAdapter implements Member {

    private static final Logger log = LoggerFactory.getLogger(WebSocketMember.class);

    private static final ByteBuf PING = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII).asReadOnly());
    private static final ByteBuf PONG = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(4).writeBytes("pong".getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    /** A member that cannot take a close frame within this time is cut off without one. */
    private static final long CLOSE_GRACE_MILLIS = 1_000;
    /** WebSocket close code 1009: the message is too big to process. */
    private static final int TOO_BIG = 1009;
    /** WebSocket close code 1007: the payload is not what its type says, e.g. text that is not UTF-8. */
    private static final int NOT_UTF8 = 1007;

    private final Channel channel;
    private final RoomHost host;
    private final RoomViews views;
    private final MemberLimits limits;
    private final int maxFrameBytes;
    /** The client's address for log lines: behind a trusted proxy, the one it forwarded for. */
    private final String client;
    private volatile Author author;

    /** Set once by the first close: later ones (a slow reader is found slow again with every broadcast) do nothing. */
    private volatile int closing;
    private static final AtomicIntegerFieldUpdater<WebSocketMember> CLOSING =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketMember.class, "closing");

    /** When a frame last came in: a socket silent for long gets a ping, then is closed ({@link #checkAlive}). */
    private volatile long lastReadNanos = System.nanoTime();

    // rate limit state; event loop only
    private double tokens;
    private long refilledAtNanos = System.nanoTime();
    private int rejectedInARow;

    WebSocketMember(
            Channel channel, RoomHost host, Author author, RoomViews views, MemberLimits limits, int maxFrameBytes,
            String client) {
        this.maxFrameBytes = maxFrameBytes;
        this.client = client;
        this.channel = channel;
        this.host = host;
        this.author = author;
        this.views = views;
        this.limits = limits;
        this.tokens = limits.burst();
    }

    // ---- Member: called by the room

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public Author author() {
        return author;
    }

    @Override
    public void rename(Author renamed) {
        this.author = renamed;
    }

    @Override
    public void send(Fragment fragment) {
        if (!channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            if (close(CloseReason.TOO_SLOW.code, CloseReason.TOO_SLOW.text)) {
                log.info("{}: {} is too slow; closing with 1013", host.name(), client);
            }
            return;
        }
        ByteBuf frame = fragment.shared()
                ? fragment.wire(TextFrames::encode).retainedDuplicate()
                : TextFrames.encode(channel.alloc(), fragment.html());
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    @Override
    public void close(CloseReason reason) {
        close(reason.code, reason.text);
    }

    /** Closes with a close frame, once; true for the call that did it. */
    private boolean close(int code, String text) {
        if (!channel.isActive() || !CLOSING.compareAndSet(this, 0, 1)) {
            return false;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code, text)).addListener(ChannelFutureListener.CLOSE);
        // a reader that never reads will never take the close frame; do not wait for it forever
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    // ---- frames from the client

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        try {
            if (closing != 0) {
                return; // being closed: what it still sends goes nowhere
            }
            if (msg instanceof TextWebSocketFrame text) {
                onText(ctx, text.content());
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content().retain()))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof BinaryWebSocketFrame) {
                send(views.error("Binary frames are not understood here; send text."));
            } else if (!(msg instanceof PongWebSocketFrame) && msg instanceof WebSocketFrame) {
                send(views.error("That frame is not understood here."));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onText(ChannelHandlerContext ctx, ByteBuf content) {
        if (content.readableBytes() > maxFrameBytes) {
            close(TOO_BIG, "frame is " + content.readableBytes() + " bytes; the limit is " + maxFrameBytes);
            return;
        }
        if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
            // checked here, on the whole message, rather than by a handler per frame: the decoder does not
            // check, and decoding as UTF-8 would quietly turn each bad byte into U+FFFD
            close(NOT_UTF8, "text frames must be UTF-8");
            return;
        }
        if (ByteBufUtil.equals(content, PING)) {
            ctx.writeAndFlush(new TextWebSocketFrame(PONG.duplicate()), ctx.voidPromise());
            return;
        }
        if (!takeToken()) {
            if (++rejectedInARow >= limits.floodRejections()) {
                if (close(CloseReason.POLICY.code, CloseReason.POLICY.text)) {
                    log.info("{}: {} keeps flooding; closing with 1008", host.name(), client);
                }
            } else {
                send(views.error("You are sending messages too fast; wait a moment and send again."));
            }
            return;
        }
        rejectedInARow = 0;
        switch (ClientFrame.parse(content.toString(StandardCharsets.UTF_8))) {
            case ClientFrame.Say say -> host.say(this, say.text(), say.clientId());
            case ClientFrame.Invalid invalid -> send(views.error(invalid.reason()));
        }
    }

    private boolean takeToken() {
        if (limits.messagesPerSecond() <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(limits.burst(), tokens + (now - refilledAtNanos) * limits.messagesPerSecond() / 1e9);
        refilledAtNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /**
     * Pings a socket that has been silent for {@code idleNanos}, and closes one silent for twice that.
     * Pages send "ping" every 25 s and every WebSocket client answers a ping, so only a peer that is
     * gone (a laptop shut without a goodbye, a dropped network) stays silent; closing it keeps the
     * room's presence list true and frees the socket. Safe from any thread.
     */
    void checkAlive(long nowNanos, long idleNanos) {
        long silentNanos = nowNanos - lastReadNanos;
        if (silentNanos >= 2 * idleNanos) {
            log.debug("{}: {} silent for {} s; closing", host.name(), client, silentNanos / 1_000_000_000);
            channel.close();
        } else if (silentNanos >= idleNanos) {
            channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        host.leave(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // protocol errors (oversized frames, bad UTF-8) were answered with a close code by the decoder
        log.debug("{}: {}: {}", host.name(), client, cause.toString());
        ctx.close();
    }
}
