package chatroom.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The server's WebSocket control frames — close, ping, pong — encoded straight to bytes (text frames
 * are {@link TextFrames}'). A socket's pipeline has no frame encoder (one
 * handler context and object less per idle socket), so everything written to it is already a frame.
 * Server frames are never masked.
 */
final class ControlFrames {

    private static final int FIN_CLOSE = 0x88;
    private static final int FIN_PING = 0x89;
    private static final int FIN_PONG = 0x8A;
    /** A control frame's payload is at most 125 bytes (RFC 6455, 5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;

    private static final ByteBuf PING = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte(FIN_PING).writeByte(0).asReadOnly());

    private ControlFrames() {}

    /** An empty ping, which every client answers with a pong. */
    static ByteBuf ping() {
        return PING.duplicate();
    }

    /** A pong carrying the ping's payload back, as RFC 6455 asks. */
    static ByteBuf pong(ByteBufAllocator alloc, ByteBuf pingPayload) {
        return control(alloc, FIN_PONG, pingPayload);
    }

    /** The echo of a client's close frame: its code (and reason) sent back, after which the socket closes. */
    static ByteBuf closeEcho(ByteBufAllocator alloc, ByteBuf closePayload) {
        return control(alloc, FIN_CLOSE, closePayload);
    }

    /** A close frame with a status code and a reason, cut to what fits in a control frame. */
    static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int textBytes = Math.min(text.length, MAX_CONTROL_PAYLOAD - 2);
        ByteBuf frame = alloc.buffer(2 + 2 + textBytes);
        frame.writeByte(FIN_CLOSE).writeByte(2 + textBytes).writeShort(code);
        return frame.writeBytes(text, 0, textBytes);
    }

    private static ByteBuf control(ByteBufAllocator alloc, int first, ByteBuf payload) {
        int length = Math.min(payload.readableBytes(), MAX_CONTROL_PAYLOAD);
        ByteBuf frame = alloc.buffer(2 + length);
        frame.writeByte(first).writeByte(length);
        return frame.writeBytes(payload, payload.readerIndex(), length);
    }
}
