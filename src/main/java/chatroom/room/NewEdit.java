package chatroom.room;

import java.time.Instant;

/**
 * A new text for message {@code target} of the room, by {@code authorId}, who must be its author.
 *
 * @param clientId the page's id for the edit, or null: an edit retried with the same id is applied once
 */
public record NewEdit(String room, long target, String authorId, String text, Instant at, String clientId)
        implements NewEvent {}
