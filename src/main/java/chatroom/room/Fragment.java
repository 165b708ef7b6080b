package chatroom.room;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Rendered HTML for the page, ready to send: rendered once per room event and written, as the same
 * bytes, to every member that should see it. {@code seq} is the sequence number of the newest message
 * the fragment holds, or 0 when it holds no message (presence, notices, errors).
 *
 * <p>The transport may keep its own encoding of the bytes here ({@link #wire}), made once and shared
 * by every member's socket, so a broadcast to a thousand members encodes one frame, not a thousand.
 */
public final class Fragment {

    private final byte[] html;
    private final long seq;
    /** The transport's encoding; made by whichever thread asks first (racing threads make equal ones). */
    private volatile Object wire;
    /** {@link #wire} once encoding failed for want of memory. */
    private static final Object UNENCODABLE = new Object();
    /** Set once the fragment goes to several members of one thread: then its encoding is worth keeping. */
    private volatile boolean shared;

    public Fragment(byte[] html, long seq) {
        this.html = html;
        this.seq = seq;
    }

    public static Fragment of(String html) {
        return new Fragment(html.getBytes(StandardCharsets.UTF_8), 0);
    }

    /**
     * The fragments one after another, as one: the page swaps each of their elements in turn, so a member
     * sent the joined fragment sees what it would have seen sent each. Its seq is the newest of theirs.
     */
    public static Fragment join(List<Fragment> fragments) {
        int length = 0;
        long seq = 0;
        for (Fragment fragment : fragments) {
            length += fragment.html.length;
            seq = Math.max(seq, fragment.seq);
        }
        byte[] html = new byte[length];
        int at = 0;
        for (Fragment fragment : fragments) {
            System.arraycopy(fragment.html, 0, html, at, fragment.html.length);
            at += fragment.html.length;
        }
        return new Fragment(html, seq);
    }

    public byte[] html() {
        return html;
    }

    public long seq() {
        return seq;
    }

    /**
     * True when the fragment is written to several sockets, so the transport should encode it once and
     * keep that ({@link #wire}); false for one written to one socket (a member's history, its people
     * list, an error), which the transport may encode into a buffer it frees as soon as it is written.
     */
    public boolean shared() {
        return shared || wire != null;
    }

    void markShared() {
        shared = true;
    }

    /** The bytes as the transport sends them, encoded on first use with {@code encoder}. */
    @SuppressWarnings("unchecked")
    public <T> T wire(Function<byte[], T> encoder) {
        Object encoded = wire;
        if (encoded == UNENCODABLE) {
            // an earlier member's attempt found no memory: the next ones are refused at once rather than
            // each make the JVM collect and retry on an event loop
            throw new OutOfMemoryError("no memory was left to encode this fragment");
        }
        if (encoded == null) {
            try {
                encoded = encoder.apply(html);
            } catch (OutOfMemoryError e) {
                wire = UNENCODABLE;
                throw e;
            }
            wire = encoded;
        }
        return (T) encoded;
    }

    @Override
    public String toString() {
        return new String(html, StandardCharsets.UTF_8);
    }
}
