package chatroom.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Splits one of Chatroom's frames into its out-of-band fragments by what they do. A frame holds one or
 * more fragments (several events' worth when the server coalesces writes to a busy socket), and the
 * swap of a changed message repeats that message's text, marker included: counting each event once
 * needs to know which fragment a marker is in. Only the fan-out scenario's {@code --changes} and
 * {@code --typers} runs use it; other servers' frames are scanned whole.
 */
final class FrameParts {

    enum Kind {
        /** New messages, history, notices, presence: where a marker is a delivery. */
        NEW,
        /** An edit, deletion or reaction swapped into a shown message. */
        CHANGE,
        /** The swap of the quotes of a changed message: part of the change, counted with it. */
        QUOTE,
        /** Someone is typing. */
        TYPING
    }

    interface Visitor {
        void part(Kind kind, byte[] bytes, int from, int to);
    }

    private static final byte[] DIV = bytes("<div ");
    private static final byte[] CHANGE = bytes("<div hx-swap-oob=\"innerHTML:#m-");
    private static final byte[] QUOTE = bytes("<div hx-swap-oob=\"innerHTML:.quote-of-");
    private static final byte[] TYPING = bytes("<div hx-swap-oob=\"beforeend:#typing-feed");
    private static final byte[] MESSAGES = bytes("<div id=\"messages\"");

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private FrameParts() {
    }

    /** Splits the readable bytes of a frame (not consumed). */
    static void split(ByteBuf content, Visitor visitor) {
        int length = content.readableBytes();
        if (content.hasArray()) {
            int start = content.arrayOffset() + content.readerIndex();
            split(content.array(), start, start + length, visitor);
            return;
        }
        byte[] bytes = SCRATCH.get();
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, bytes.length * 2)];
            SCRATCH.set(bytes);
        }
        content.getBytes(content.readerIndex(), bytes, 0, length);
        split(bytes, 0, length, visitor);
    }

    /** Calls the visitor for each part of bytes[from, to), in order; a part runs to the next part's start. */
    static void split(byte[] bytes, int from, int to, Visitor visitor) {
        Kind kind = Kind.NEW;
        int partStart = from;
        for (int i = from; i <= to - DIV.length; i++) {
            if (bytes[i] != '<' || !startsAt(bytes, i, to, DIV)) {
                continue;
            }
            Kind next = startsAt(bytes, i, to, CHANGE) ? Kind.CHANGE
                    : startsAt(bytes, i, to, QUOTE) ? Kind.QUOTE
                    : startsAt(bytes, i, to, TYPING) ? Kind.TYPING
                    : startsAt(bytes, i, to, MESSAGES) ? Kind.NEW
                    : null; // a div inside a fragment
            if (next != null) {
                if (i > partStart) {
                    visitor.part(kind, bytes, partStart, i);
                }
                kind = next;
                partStart = i;
            }
        }
        if (to > partStart) {
            visitor.part(kind, bytes, partStart, to);
        }
    }

    private static boolean startsAt(byte[] bytes, int at, int to, byte[] start) {
        if (to - at < start.length) {
            return false;
        }
        for (int j = 0; j < start.length; j++) {
            if (bytes[at + j] != start[j]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
