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
 * @param text the text as it now is: the last edit's, or empty once deleted
 * @param editedAt when it was last edited, or null if never
 * @param deletedAt when it was deleted, or null if it was not; a deleted message keeps its seq, author and
 *     time, and nothing of what it said
 */
public record Message(
        String room, long seq, String authorId, String authorName, String text, Instant sentAt, String clientId,
        Instant editedAt, Instant deletedAt) {

    /** A message as sent: never edited, not deleted. */
    public Message(String room, long seq, String authorId, String authorName, String text, Instant sentAt, String clientId) {
        this(room, seq, authorId, authorName, text, sentAt, clientId, null, null);
    }

    /** A message sent without a client id. */
    public Message(String room, long seq, String authorId, String authorName, String text, Instant sentAt) {
        this(room, seq, authorId, authorName, text, sentAt, null);
    }

    public boolean edited() {
        return editedAt != null;
    }

    public boolean deleted() {
        return deletedAt != null;
    }

    /** This message with its text replaced at {@code at}. */
    public Message editedTo(String newText, Instant at) {
        return new Message(room, seq, authorId, authorName, newText, sentAt, clientId, at, deletedAt);
    }

    /** This message deleted at {@code at}: its text is gone. */
    public Message deletedAt(Instant at) {
        return new Message(room, seq, authorId, authorName, "", sentAt, clientId, editedAt, at);
    }
}
