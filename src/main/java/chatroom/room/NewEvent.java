package chatroom.room;

/**
 * An event the room has accepted and asks the {@link RoomLog} to store; the store gives it the room's next
 * sequence number and answers with the {@link RoomEvent} it became. One kind today: a message.
 */
public sealed interface NewEvent permits NewMessage {

    String room();
}
