package chatroom.room;

/**
 * An event the room has accepted and asks the {@link RoomLog} to store; the store gives it the room's next
 * sequence number and answers with the {@link RoomEvent} it became: a message, or a change to one (an
 * edit, a deletion, a reaction added or taken back). A change
 * is judged by the store, in the transaction that stores it, against the message as it then is (it exists,
 * is its author's, is not deleted, and the edit changes it); a refused one fails with {@link
 * ChangeRefusedException} and takes no seq.
 */
public sealed interface NewEvent permits NewMessage, NewEdit, NewDeletion, NewReaction {

    String room();
}
