package chatroom.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;

/**
 * Encodes a server-to-client WebSocket text frame once, so a broadcast writes the same bytes to every
 * member without a frame object, an encoder pass or a copy per member. The bytes bypass the pipeline's
 * frame encoder, which passes plain buffers through.
 *
 * <p>A shared frame lives in JDK direct memory that the garbage collector frees when the fragment is
 * gone; members write {@code retainedDuplicate()}s of it, which only count references. Shared frames
 * are cut from a slab per thread rather than allocated one by one: each direct allocation reserves
 * memory against the JVM-wide cap, shared by all event loops, and registers a cleaner, and that took
 * 1–7% of the server's CPU samples at 100 rooms × 10 members (JFR, 2026-11-28). A slab is freed once
 * all its frames are gone, so a frame kept long keeps up to a slab's worth of direct memory. A frame for one socket is written into the channel's pooled buffers instead and
 * freed as soon as it is written.
 */
final class TextFrames {

    /** FIN set, opcode 1 (text). */
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    /**
     * Small, so that a frame kept long (a member's held messages while it catches up) keeps little else
     * alive with it; a message frame is a few hundred bytes, so one slab serves dozens of messages.
     */
    private static final int SLAB_BYTES = 16 * 1024;
    /** Larger frames get memory of their own: they are rare and would waste a slab's rest. */
    private static final int MAX_SLAB_FRAME_BYTES = SLAB_BYTES / 4;

    /** The slab each thread cuts frames from, or null before its first shared frame. */
    private static final FastThreadLocal<ByteBuffer> slabs = new FastThreadLocal<>();

    private TextFrames() {}

    /** For a fragment many sockets write: kept with the fragment, freed by the garbage collector. */
    static ByteBuf encode(byte[] payload) {
        ByteBuf frame = Unpooled.wrappedBuffer(directMemory(frameBytes(payload.length))).clear();
        return write(frame, payload);
    }

    private static ByteBuffer directMemory(int bytes) {
        if (bytes > MAX_SLAB_FRAME_BYTES) {
            return ByteBuffer.allocateDirect(bytes);
        }
        ByteBuffer slab = slabs.get();
        if (slab == null || slab.remaining() < bytes) {
            slab = ByteBuffer.allocateDirect(SLAB_BYTES);
            slabs.set(slab);
        }
        // a slice refers to its slab, so the slab's memory lives as long as any frame cut from it
        ByteBuffer frame = slab.slice(slab.position(), bytes);
        slab.position(slab.position() + bytes);
        return frame;
    }

    /**
     * For a fragment one socket writes: a buffer from the channel's pool, which the write gives back.
     * Encoding these into JDK direct buffers too left each to wait for a GC, and the C heap kept the
     * memory after that: a crowd joining (each newcomer is sent the room's people list alone) grew the
     * process by several KB per join.
     */
    static ByteBuf encode(ByteBufAllocator alloc, byte[] payload) {
        return write(alloc.directBuffer(frameBytes(payload.length)), payload);
    }

    private static int frameBytes(int length) {
        return (length < LENGTH_16 ? 2 : length <= 0xFFFF ? 4 : 10) + length;
    }

    private static ByteBuf write(ByteBuf frame, byte[] payload) {
        int length = payload.length;
        frame.writeByte(FIN_TEXT);
        if (length < LENGTH_16) {
            frame.writeByte(length); // servers do not mask
        } else if (length <= 0xFFFF) {
            frame.writeByte(LENGTH_16).writeShort(length);
        } else {
            frame.writeByte(LENGTH_64).writeLong(length);
        }
        return frame.writeBytes(payload);
    }
}
