package chatroom.room;

import java.time.Clock;

/**
 * What every room of this node works with: the store, the feed between nodes, the presence board, the
 * views, the rooms' settings, the clock, and the node's limit on catch-ups. {@code Main} builds it once;
 * {@link Rooms} hands it to each {@link RoomHost}, which hands it to its {@link Room}.
 */
public record RoomServices(
        MessageStore messages,
        MessageFeed feed,
        PresenceBoard board,
        RoomViews views,
        RoomSettings settings,
        Clock clock,
        CatchUps catchUps) {

    /** The services, with as many catch-ups at once as the heap allows ({@link CatchUps#sizedForHeap}). */
    public static RoomServices of(
            MessageStore messages, MessageFeed feed, PresenceBoard board, RoomViews views, RoomSettings settings, Clock clock) {
        return new RoomServices(messages, feed, board, views, settings, clock, CatchUps.sizedForHeap());
    }
}
