package chatroom.room;

import java.time.Instant;

/**
 * {@code userId} (named {@code userName} at this moment) adds ({@code add}) or takes back their reaction
 * {@code emoji} on message {@code target} of the room. The store judges it in the commit: the message exists
 * and is not deleted; an added reaction is new and the message has room for it; a removed one was there.
 *
 * @param clientId the page's id for it, or null: one retried with the same id is applied once
 */
public record NewReaction(
        String room, long target, String userId, String userName, String emoji, boolean add, Instant at, String clientId)
        implements NewEvent {}
