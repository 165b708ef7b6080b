package chatroom.room;

/**
 * Something a room's members are shown that is never stored and has no sequence number: it is only true
 * for now, and a page that missed it is shown the present state instead (who is here, on joining). Today:
 * who joined, left or took a new name, from the {@link PresenceBoard}. The room handles each in {@link
 * Room#signal}, one exhaustive switch.
 */
public sealed interface Signal {

    /** Users who joined the room, left it or took a new name, on any node. */
    record Presence(PresenceBoard.Change change) implements Signal {}

    /** Someone in the room is typing, on any node; their page shows it to the others for a few seconds. */
    record Typing(Author who) implements Signal {}
}
