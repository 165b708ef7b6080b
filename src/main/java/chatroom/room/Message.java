package chatroom.room;

import java.time.Instant;

/**
 * One stored chat message. {@code seq} is the room's sequence number: assigned by the store in the
 * transaction that saves the message, gap-free and increasing within a room, so it is the one order
 * every member and the history agree on.
 *
 * @param authorId the author's user id (never shown to other users; see {@link Author#tag()})
 * @param authorName the author's display name at the time the message was sent
 * @param clientId the id the sender's page gave the message ({@link NewMessage#clientId}), or null: the
 *     page recognises its own message by it, and resends it with the same id if it never came back
 */
public record Message(
        String room, long seq, String authorId, String authorName, String text, Instant sentAt, String clientId) {

    /** A message sent without a client id. */
    public Message(String room, long seq, String authorId, String authorName, String text, Instant sentAt) {
        this(room, seq, authorId, authorName, text, sentAt, null);
    }
}
