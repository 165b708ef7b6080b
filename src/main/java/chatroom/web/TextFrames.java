package chatroom.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Encodes a server-to-client WebSocket text frame once, so a broadcast writes the same bytes to every
 * member without a frame object, an encoder pass or a copy per member. The bytes bypass the pipeline's
 * frame encoder, which passes plain buffers through.
 *
 * <p>The buffer lives in JDK direct memory that the garbage collector frees when the fragment is gone;
 * members write {@code retainedDuplicate()}s of it, which only count references.
 */
final class TextFrames {

    /** FIN set, opcode 1 (text). */
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private TextFrames() {}

    static ByteBuf encode(byte[] payload) {
        int length = payload.length;
        int header = length < LENGTH_16 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
        frame.put((byte) FIN_TEXT);
        if (length < LENGTH_16) {
            frame.put((byte) length); // servers do not mask
        } else if (length <= 0xFFFF) {
            frame.put((byte) LENGTH_16).putShort((short) length);
        } else {
            frame.put((byte) LENGTH_64).putLong(length);
        }
        frame.put(payload).flip();
        return Unpooled.wrappedBuffer(frame);
    }
}
