package chatroom.room;

import java.time.Instant;

/**
 * A message the room has accepted and asks the store to save; the store gives it its sequence number.
 *
 * @param clientId the id the sender's page gave this message, or null: a send retried with the same id
 *     (after a lost acknowledgement, or to another node) is stored once. Unique per author and room.
 * @param replyTo the seq of the message it answers, or 0: the store refuses it if there is no such message
 *     in the room, or it was deleted, and shows the original as it is stored, never as the sender says
 */
public record NewMessage(
        String room, String authorId, String authorName, String text, Instant sentAt, String clientId, long replyTo)
        implements NewEvent {

    /** A message that answers none. */
    public NewMessage(String room, String authorId, String authorName, String text, Instant sentAt, String clientId) {
        this(room, authorId, authorName, text, sentAt, clientId, 0);
    }

    /** A message without a client id: every append stores it anew. */
    public NewMessage(String room, String authorId, String authorName, String text, Instant sentAt) {
        this(room, authorId, authorName, text, sentAt, null);
    }

    Message withSeq(long seq) {
        return new Message(room, seq, authorId, authorName, text, sentAt, clientId);
    }
}
