package chatroom.web;

import chatroom.metrics.Meters;
import chatroom.room.Author;
import chatroom.room.Standing;
import chatroom.room.Command;
import chatroom.room.Fragment;
import chatroom.room.Member;
import chatroom.room.RoomHost;
import chatroom.room.RoomViews;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visitor's WebSocket in one room: the last handler of its pipeline, and the {@link Member} its
 * room writes to. It answers {@code ping} itself, without waking the room, counts every frame against
 * a limit (messages against the socket's, its user's and its address's shares, anything else against
 * the socket's frame budget), parses frames into room events, and turns a full send queue into a close
 * with 1013 so that one slow reader cannot hold the room back.
 *
 * <p>This object (which reads the frames itself, see {@link WebSocketFrameReader}) and its channel are
 * all that an idle connection holds, so it is kept small: no buffers, no timers. Frames are read on the
 * channel's event loop; {@link #send} is called from the room's thread and only queues a write.
 */
final class WebSocketMember extends WebSocketFrameReader implements Member {

    private static final Logger log = LoggerFactory.getLogger(WebSocketMember.class);

    private static final ByteBuf PING = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII).asReadOnly());
    /** The page's keep-alive answered: one text frame, encoded once, written to every socket that pings. */
    private static final ByteBuf PONG = Unpooled.unreleasableBuffer(
            TextFrames.encode("pong".getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    /** A member that cannot take a close frame within this time is cut off without one. */
    private static final long CLOSE_GRACE_MILLIS = 1_000;
    /** WebSocket close code 1007: the payload is not what its type says, e.g. text that is not UTF-8. */
    private static final int NOT_UTF8 = 1007;
    /** WebSocket close code 1005: what a close frame without a code counts as. */
    private static final int NO_CODE = 1005;

    private final Channel channel;
    private final RoomHost host;
    private final RoomViews views;
    private final MemberLimits limits;
    /** What this socket's user and address share with their other sockets; the address's is null when not limited. */
    private final Senders.Sender user;
    private final Senders.Sender address;
    private final int maxFrameBytes;
    /** The client's address for log lines: behind a trusted proxy, the one it forwarded for. */
    private final String client;
    private volatile Author author;
    private final Standing standing;

    /** Set once by the first close: later ones (a slow reader is found slow again with every broadcast) do nothing. */
    private volatile int closing;
    private static final AtomicIntegerFieldUpdater<WebSocketMember> CLOSING =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketMember.class, "closing");

    /** When a frame last came in: a socket silent for long gets a ping, then is closed ({@link #checkAlive}). */
    private volatile long lastReadNanos = System.nanoTime();

    // this socket's own allowances (see Rate); event loop only
    private long messagesWholeAtNanos = lastReadNanos;
    private long framesWholeAtNanos = lastReadNanos;
    private int rejectedInARow;

    WebSocketMember(
            Channel channel, RoomHost host, Author author, Standing standing, RoomViews views, MemberLimits limits,
            Senders.Sender user, Senders.Sender address, int maxFrameBytes, String client) {
        super(RoomSockets.hardFrameCap(maxFrameBytes));
        this.maxFrameBytes = maxFrameBytes;
        this.client = client;
        this.channel = channel;
        this.host = host;
        this.author = author;
        this.standing = standing;
        this.views = views;
        this.limits = limits;
        this.user = user;
        this.address = address;
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
    public Standing standing() {
        return standing;
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
                Meters.slowConsumersClosed(Meters.SlowConsumer.SOCKET, 1);
                log.debug("{}: {} is too slow; closing with 1013", host.name(), client);
            }
            return;
        }
        ByteBuf frame;
        try {
            // a frame for many members is encoded once and shared; one for this member alone (its history,
            // who is here, an error) comes from the channel's pool and is freed once written
            frame = fragment.shared()
                    ? fragment.wire(TextFrames::encode).retainedDuplicate()
                    : TextFrames.encode(channel.alloc(), fragment.html());
        } catch (OutOfMemoryError e) {
            // direct memory is at its cap (-XX:MaxDirectMemorySize) even after the collector freed what it
            // could: a replay storm. This member reconnects later (1013) rather than the process growing
            if (close(CloseReason.TOO_SLOW.code, CloseReason.TOO_SLOW.text)) {
                DirectMemory.refused(host.name().value(), client, e);
            }
            return;
        }
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
        Meters.closedByServer(code);
        // the connection ends when the client answers with its own close (channelRead), as RFC 6455 has it:
        // closing it at once would reset a client still sending, and its close code would be lost in the reset
        channel.writeAndFlush(ControlFrames.close(channel.alloc(), code, text), channel.voidPromise());
        // a reader that never reads will never take the close frame; do not wait for it forever
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    // ---- frames from the client (whole messages, from WebSocketFrameReader)

    @Override
    void onText(ChannelHandlerContext ctx, ByteBuf payload) {
        long now = heard();
        if (closing == 0) {
            onMessage(ctx, payload, now);
        }
    }

    @Override
    void onBinary(ChannelHandlerContext ctx, ByteBuf payload) {
        if (closing == 0 && takeFrame(heard())) {
            Meters.frameRefused(Meters.FrameRefusal.MALFORMED);
            send(views.error("Binary frames are not understood here; send text."));
        }
    }

    @Override
    void onPing(ChannelHandlerContext ctx, ByteBuf payload) {
        if (closing == 0 && takeFrame(heard())) {
            ctx.writeAndFlush(ControlFrames.pong(ctx.alloc(), payload), ctx.voidPromise());
        }
    }

    @Override
    void onPong(ChannelHandlerContext ctx) {
        if (closing == 0) {
            takeFrame(heard());
        }
    }

    @Override
    void onClose(ChannelHandlerContext ctx, ByteBuf payload) {
        heard();
        if (closing != 0) {
            ctx.close(); // the client's answer to our close
            return;
        }
        Meters.closedByClient(payload.readableBytes() < 2 ? NO_CODE : payload.getUnsignedShort(payload.readerIndex()));
        ctx.writeAndFlush(ControlFrames.closeEcho(ctx.alloc(), payload)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    void onProtocolError(ChannelHandlerContext ctx, int code, String reason) {
        Meters.frameRefused(code == TOO_BIG ? Meters.FrameRefusal.SIZE : Meters.FrameRefusal.MALFORMED);
        log.debug("{}: {}: {}", host.name(), client, reason);
        if (!CLOSING.compareAndSet(this, 0, 1)) {
            ctx.close(); // our close frame is on its way already; nothing more will be read
            return;
        }
        // nothing more will be read, so do not wait for the client's close: say why, then hang up
        Meters.closedByServer(code);
        ctx.writeAndFlush(ControlFrames.close(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Notes that the client was heard from now ({@link #checkAlive}), and returns now. */
    private long heard() {
        long now = System.nanoTime();
        lastReadNanos = now;
        return now;
    }

    /**
     * Spends one frame of the socket's frame budget; a socket over it is closed with 1008 and logged once.
     * The page sends one frame every 25 s; only a client that floods pings or binary frames gets here.
     */
    private boolean takeFrame(long now) {
        if (limits.frames().off()) {
            return true;
        }
        long next = limits.frames().take(framesWholeAtNanos, now);
        if (next != Rate.REFUSED) {
            framesWholeAtNanos = next;
            return true;
        }
        Meters.frameRefused(Meters.FrameRefusal.RATE);
        if (close(CloseReason.POLICY.code, CloseReason.POLICY.text)) {
            // the sum per period is logged by the refusal log; this socket's own story is for debugging
            log.debug("{}: {} sends pings or other frames faster than the frame limit; closing with 1008",
                    host.name(), client);
        }
        return false;
    }

    /** A text frame from an open socket: the page's "ping", or a message for the room. */
    private void onMessage(ChannelHandlerContext ctx, ByteBuf content, long now) {
        if (content.readableBytes() > maxFrameBytes) {
            Meters.frameRefused(Meters.FrameRefusal.SIZE);
            close(TOO_BIG, "frame is " + content.readableBytes() + " bytes; the limit is " + maxFrameBytes);
            return;
        }
        if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
            Meters.frameRefused(Meters.FrameRefusal.UTF8);
            // checked here, on the whole message, rather than by a handler per frame: the decoder does not
            // check, and decoding as UTF-8 would quietly turn each bad byte into U+FFFD
            close(NOT_UTF8, "text frames must be UTF-8");
            return;
        }
        if (ByteBufUtil.equals(content, PING)) {
            if (takeFrame(now)) {
                ctx.writeAndFlush(PONG.duplicate(), ctx.voidPromise());
            }
            return;
        }
        // parsed before it is charged: what a frame costs depends on what it asks
        ClientFrame frame = ClientFrame.parse(content.toString(StandardCharsets.UTF_8));
        String refused = charge(frame, now);
        if (closing != 0) {
            return; // the charge closed the socket (over the frame limit): what the frame asked goes nowhere
        }
        if (refused != null) {
            Meters.frameRefused(Meters.FrameRefusal.RATE);
            if (++rejectedInARow >= limits.floodRejections()) {
                if (close(CloseReason.POLICY.code, CloseReason.POLICY.text)) {
                    log.debug("{}: {} keeps flooding; closing with 1008", host.name(), client);
                }
            } else {
                // the page's id for the message and when it may go again: the page marks that message
                // "not sent", keeps its text and sends it again by itself then
                send(views.notSent(refused, clientIdOf(frame), TimeUnit.NANOSECONDS.toMillis(waitNanos(now)) + 1));
            }
            return;
        }
        rejectedInARow = 0;
        switch (frame) {
            case ClientFrame.Ask ask -> host.handle(this, ask.command());
            case ClientFrame.Invalid invalid -> {
                Meters.frameRefused(Meters.FrameRefusal.MALFORMED);
                send(views.error(invalid.reason()));
            }
        }
    }

    /**
     * Charges a frame to the allowances of its kind; null if they allow it, else what to tell the sender.
     * A message spends a message from each share; a frame we cannot read costs as much, so that flooding
     * with garbage is flooding too.
     */
    private String charge(ClientFrame frame, long now) {
        return switch (frame) {
            case ClientFrame.Invalid invalid -> takeMessage(now);
            case ClientFrame.Ask ask -> switch (ask.command()) {
                case Command.Say say -> takeMessage(now);
                // a change costs what a message does: it is stored and shown to everyone as a message is
                case Command.Edit edit -> takeMessage(now);
                case Command.Delete delete -> takeMessage(now);
                case Command.React react -> takeMessage(now);
                case Command.Unreact unreact -> takeMessage(now);
                // typing costs what a ping does (the page says so at most every 3 s), never a message; over
                // the frame limit the socket is closed, as for any frame
                case Command.Typing typing -> {
                    takeFrame(now);
                    yield null;
                }
                // a socket never asks this (names change through the page's form, limited per user by
                // Senders#renaming); refused should a frame ever carry one
                case Command.Rename rename -> "Change your name with the name form.";
            };
        };
    }

    /**
     * Spends one message from the socket's, the user's and the address's shares, in that order; null if
     * all three allow it, else what to tell the sender. The user's share is what one cookie may send over
     * all its sockets; the address's, looser, what a whole office behind one NAT may send.
     */
    private String takeMessage(long now) {
        if (!limits.messages().off()) {
            long next = limits.messages().take(messagesWholeAtNanos, now);
            if (next == Rate.REFUSED) {
                return TOO_FAST;
            }
            messagesWholeAtNanos = next;
        }
        if (!user.takeMessage(now)) {
            return TOO_FAST;
        }
        if (address != null && !address.takeMessage(now)) {
            return "Too many messages are coming from your network just now; wait a moment and send again.";
        }
        return null;
    }

    /** How long until all three shares allow one more message. */
    private long waitNanos(long now) {
        long wait = limits.messages().off() ? 0 : limits.messages().waitNanos(messagesWholeAtNanos, now);
        wait = Math.max(wait, user.messageWaitNanos(now));
        return address == null ? wait : Math.max(wait, address.messageWaitNanos(now));
    }

    /** The page's id for the message in a refused frame, or null. */
    private static String clientIdOf(ClientFrame frame) {
        return switch (frame) {
            case ClientFrame.Invalid invalid -> null;
            case ClientFrame.Ask ask -> switch (ask.command()) {
                case Command.Say say -> say.clientId();
                case Command.Edit edit -> null;
                case Command.Delete delete -> null;
                case Command.React react -> null;
                case Command.Unreact unreact -> null;
                case Command.Typing typing -> null;
                case Command.Rename rename -> null;
            };
        };
    }

    private static final String TOO_FAST = "You are sending messages too fast; wait a moment and send again.";

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
            channel.writeAndFlush(ControlFrames.ping(), channel.voidPromise());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        host.leave(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: {}: {}", host.name(), client, cause.toString());
        ctx.close();
    }
}
