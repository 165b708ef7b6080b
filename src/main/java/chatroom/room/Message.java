package chatroom.room;

import java.time.Instant;

/**
 * One stored chat message. {@code seq} is the room's sequence number: assigned by the store in the
 * transaction that saves the message, gap-free and increasing within a room, so it is the one order
 * every member and the history agree on.
 *
 * @param authorId the author's user id (never shown to other users; see {@link Author#tag()})
 * @param authorName the author's display name at the time the message was sent
 */
public record Message(String room, long seq, String authorId, String authorName, String text, Instant sentAt) {}
