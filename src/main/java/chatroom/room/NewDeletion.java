package chatroom.room;

import java.time.Instant;

/**
 * Message {@code target} of the room taken back by {@code byId}: its text goes from the store.
 *
 * @param anyAuthor true when {@code byId} may delete another's message (a moderator, once there are any);
 *     otherwise the store refuses a message that is not theirs
 * @param clientId the page's id for the deletion, or null: one retried with the same id is applied once
 */
public record NewDeletion(String room, long target, String byId, boolean anyAuthor, Instant at, String clientId)
        implements NewEvent {}
