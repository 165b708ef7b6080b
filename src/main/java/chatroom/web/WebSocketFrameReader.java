package chatroom.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Reads a client's WebSocket frames (RFC 6455) straight from the socket's bytes and hands whole
 * messages and control frames to its subclass, the member. Netty's frame decoder, frame encoder and
 * message aggregator would each be a handler with a context of its own on every socket; an idle
 * socket holds this object's few fields instead (both buffers are null between frames).
 *
 * <p>What it enforces, each with the close code the RFC names: client frames are masked, no reserved
 * bits (no extension is ever agreed), known opcodes only, control frames final and at most 125 bytes,
 * continuations only inside a fragmented message (1002); a frame or a fragmented message larger than
 * {@code maxMessageBytes} is refused as soon as its header says so, before it is buffered (1009). After
 * a protocol error nothing more is read. Event loop only.
 */
abstract class WebSocketFrameReader extends ChannelInboundHandlerAdapter {

    static final int PROTOCOL_ERROR = 1002;
    static final int TOO_BIG = 1009;

    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int FIN = 0x80;
    private static final int RSV = 0x70;
    private static final int MASKED = 0x80;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;
    private static final int MASK_BYTES = 4;

    private final int maxMessageBytes;
    /** The start of a frame whose rest has not arrived yet; null between frames. */
    private ByteBuf partialFrame;
    /** The fragments so far of a message sent in several frames; null otherwise. */
    private ByteBuf fragments;
    private boolean fragmentsAreText;
    private boolean broken;

    WebSocketFrameReader(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** A whole text message (all its fragments); released by the reader once this returns. */
    abstract void onText(ChannelHandlerContext ctx, ByteBuf payload);

    /** A whole binary message; released by the reader once this returns. */
    abstract void onBinary(ChannelHandlerContext ctx, ByteBuf payload);

    abstract void onPing(ChannelHandlerContext ctx, ByteBuf payload);

    abstract void onPong(ChannelHandlerContext ctx);

    /** The client's close frame; {@code payload} is its code and reason, empty or 2+ bytes. */
    abstract void onClose(ChannelHandlerContext ctx, ByteBuf payload);

    /** The client broke the protocol; nothing more will be read from it. */
    abstract void onProtocolError(ChannelHandlerContext ctx, int code, String reason);

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (broken) {
            bytes.release();
            return;
        }
        ByteBuf in = bytes;
        if (partialFrame != null) {
            in = partialFrame.writeBytes(bytes);
            bytes.release();
            partialFrame = null;
        }
        try {
            while (!broken && readFrame(ctx, in)) {
                // one frame handled; on to the next
            }
            if (!broken && in.isReadable()) {
                // keep only the unread start of the next frame, not the whole buffer the read filled
                partialFrame = ctx.alloc().buffer(in.readableBytes()).writeBytes(in);
            }
        } finally {
            in.release();
        }
    }

    /** Handles one frame if all of it is in {@code in}; false if more bytes are needed. */
    private boolean readFrame(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < 2) {
            return false;
        }
        int start = in.readerIndex();
        int first = in.getUnsignedByte(start);
        int second = in.getUnsignedByte(start + 1);
        int opcode = first & 0x0f;
        boolean fin = (first & FIN) != 0;
        if ((first & RSV) != 0) {
            return fail(ctx, PROTOCOL_ERROR, "reserved bits are set, and no extension was agreed");
        }
        if ((second & MASKED) == 0) {
            return fail(ctx, PROTOCOL_ERROR, "frames from a client must be masked");
        }
        boolean control = opcode >= OP_CLOSE;
        if (opcode != OP_CONTINUATION && opcode != OP_TEXT && opcode != OP_BINARY
                && opcode != OP_CLOSE && opcode != OP_PING && opcode != OP_PONG) {
            return fail(ctx, PROTOCOL_ERROR, "opcode " + opcode + " is not defined");
        }
        int length7 = second & 0x7f;
        int lengthBytes = length7 == LENGTH_16 ? 2 : length7 == LENGTH_64 ? 8 : 0;
        int headerBytes = 2 + lengthBytes + MASK_BYTES;
        if (in.readableBytes() < headerBytes) {
            return false;
        }
        long length = length7 == LENGTH_16 ? in.getUnsignedShort(start + 2)
                : length7 == LENGTH_64 ? in.getLong(start + 2)
                : length7;
        if (control && (!fin || length > ControlFrames.MAX_CONTROL_PAYLOAD)) {
            return fail(ctx, PROTOCOL_ERROR, "control frames must be final and at most 125 bytes");
        }
        long messageBytes = length + (opcode == OP_CONTINUATION && fragments != null ? fragments.readableBytes() : 0);
        if (length < 0 || messageBytes > maxMessageBytes) {
            return fail(ctx, TOO_BIG, "message is over " + maxMessageBytes + " bytes");
        }
        if (in.readableBytes() < headerBytes + length) {
            return false;
        }
        int mask = in.getInt(start + 2 + lengthBytes);
        ByteBuf payload = in.retainedSlice(start + headerBytes, (int) length);
        in.readerIndex(start + headerBytes + (int) length);
        try {
            unmask(payload, mask);
            handle(ctx, opcode, fin, payload);
        } finally {
            payload.release();
        }
        return true;
    }

    private void handle(ChannelHandlerContext ctx, int opcode, boolean fin, ByteBuf payload) {
        switch (opcode) {
            case OP_TEXT, OP_BINARY -> {
                if (fragments != null) {
                    fail(ctx, PROTOCOL_ERROR, "a new message began before the fragmented one ended");
                } else if (fin) {
                    deliver(ctx, opcode == OP_TEXT, payload);
                } else {
                    fragments = ctx.alloc().buffer(payload.readableBytes()).writeBytes(payload);
                    fragmentsAreText = opcode == OP_TEXT;
                }
            }
            case OP_CONTINUATION -> {
                if (fragments == null) {
                    fail(ctx, PROTOCOL_ERROR, "a continuation frame came outside a fragmented message");
                } else {
                    fragments.writeBytes(payload);
                    if (fin) {
                        ByteBuf whole = fragments;
                        fragments = null;
                        try {
                            deliver(ctx, fragmentsAreText, whole);
                        } finally {
                            whole.release();
                        }
                    }
                }
            }
            case OP_CLOSE -> {
                if (payload.readableBytes() == 1) {
                    fail(ctx, PROTOCOL_ERROR, "a close frame's code takes two bytes");
                } else {
                    onClose(ctx, payload);
                }
            }
            case OP_PING -> onPing(ctx, payload);
            default -> onPong(ctx);
        }
    }

    private void deliver(ChannelHandlerContext ctx, boolean text, ByteBuf payload) {
        if (text) {
            onText(ctx, payload);
        } else {
            onBinary(ctx, payload);
        }
    }

    private static void unmask(ByteBuf payload, int mask) {
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        for (; i + 4 <= end; i += 4) {
            payload.setInt(i, payload.getInt(i) ^ mask);
        }
        for (int shift = 24; i < end; i++, shift -= 8) {
            payload.setByte(i, payload.getByte(i) ^ (mask >>> shift));
        }
    }

    private boolean fail(ChannelHandlerContext ctx, int code, String reason) {
        broken = true;
        releaseBuffers();
        onProtocolError(ctx, code, reason);
        return false;
    }

    private void releaseBuffers() {
        if (partialFrame != null) {
            partialFrame.release();
            partialFrame = null;
        }
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseBuffers();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBuffers();
    }
}
