package chatroom.room;

import java.time.Instant;
import java.util.List;

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
 * @param quote what it answers, as that message now is, or null if it is not a reply
 * @param reactions its reactions in the order they were made (none once deleted)
 */
public record Message(
        String room, long seq, String authorId, String authorName, String text, Instant sentAt, String clientId,
        Instant editedAt, Instant deletedAt, Quote quote, List<Reaction> reactions) {

    public Message {
        reactions = List.copyOf(reactions);
    }

    /** A message as stored, not a reply, without reactions. */
    public Message(
            String room, long seq, String authorId, String authorName, String text, Instant sentAt, String clientId,
            Instant editedAt, Instant deletedAt) {
        this(room, seq, authorId, authorName, text, sentAt, clientId, editedAt, deletedAt, null, List.of());
    }

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
        return new Message(room, seq, authorId, authorName, newText, sentAt, clientId, at, deletedAt, quote, reactions);
    }

    /** This message deleted at {@code at}: its text and its reactions are gone. */
    public Message deletedAt(Instant at) {
        return new Message(room, seq, authorId, authorName, "", sentAt, clientId, editedAt, at, quote, List.of());
    }

    /** This message answering {@code quoted} (null: none). */
    public Message withQuote(Quote quoted) {
        return new Message(room, seq, authorId, authorName, text, sentAt, clientId, editedAt, deletedAt, quoted, reactions);
    }

    /** This message with these reactions, as they now are. */
    public Message withReactions(List<Reaction> now) {
        return new Message(room, seq, authorId, authorName, text, sentAt, clientId, editedAt, deletedAt, quote, now);
    }

    /** The seq of the message this one answers, or 0. */
    public long replyTo() {
        return quote == null ? 0 : quote.seq();
    }
}
