package chatroom.room;

import java.nio.charset.StandardCharsets;

/**
 * Rendered HTML for the page, ready to send: rendered once per room event and written, as the same
 * bytes, to every member that should see it. {@code seq} is the sequence number of the newest message
 * the fragment holds, or 0 when it holds no message (presence, notices, errors).
 */
public record Fragment(byte[] html, long seq) {

    public static Fragment of(String html) {
        return new Fragment(html.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Override
    public String toString() {
        return new String(html, StandardCharsets.UTF_8);
    }
}
