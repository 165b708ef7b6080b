package chatroom.room;

import java.util.function.Supplier;

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
        CatchUps catchUps,
        Supplier<GuestPolicy> guests) {

    /** The services, with as many catch-ups at once as the heap allows ({@link CatchUps#sizedForHeap}). */
    public static RoomServices of(
            MessageStore messages, MessageFeed feed, PresenceBoard board, RoomViews views, RoomSettings settings, Clock clock) {
        return new RoomServices(messages, feed, board, views, settings, clock, CatchUps.sizedForHeap(), () -> GuestPolicy.POST);
    }

    /** The same services, with what guests may do read from {@code guests} each time it is asked. */
    public RoomServices withGuests(Supplier<GuestPolicy> guests) {
        return new RoomServices(messages, feed, board, views, settings, clock, catchUps, guests);
    }
}
