package chatroom.room;

/**
 * What a member asks its room to do. The web layer turns what a client sends into one of these (never
 * believing a name or id in it: who asks is the {@link Member}'s identity); the room judges it ({@link
 * Permissions#may}) and carries it out ({@link Room#handle}), one at a time on the room's thread. Later
 * callers (an HTTP API for programs) build the same commands: there is one door into a room.
 *
 * <p>A new kind of command is a record here; the compiler then lists the switches that must answer it
 * (the room, the permissions, the web layer's charge for it).
 */
public sealed interface Command {

    /**
     * A message for the room. {@code clientId} is the id the page gave it, or null; a message sent again
     * with the same id (after a reconnect) is stored and shown once. {@code replyTo} is the seq of the
     * message it answers, or 0; the reply shows that message as the store has it.
     */
    record Say(String text, String clientId, long replyTo) implements Command {

        /** A message that answers none. */
        public Say(String text, String clientId) {
            this(text, clientId, 0);
        }
    }

    /**
     * The member's user has a new display name (already checked and kept in their cookie): every socket of
     * that user in the room takes it, and the room is told "old is now new".
     */
    record Rename(String newName) implements Command {}

    /**
     * A new text for one of the member's messages ({@code target} is its seq). Checked and cleaned as a new
     * message is; refused for a message that is not the member's, is deleted, or already says this.
     */
    record Edit(long target, String text, String clientId) implements Command {}

    /** Takes back one of the member's messages: its text is removed from the store, not hidden. */
    record Delete(long target, String clientId) implements Command {}

    /**
     * Adds the member's reaction {@code emoji} (one of {@link Reaction#PALETTE}) to message {@code target};
     * refused if they reacted so already, or the message is deleted or has as many reactions as it may.
     */
    record React(long target, String emoji, String clientId) implements Command {}

    /** Takes the member's reaction {@code emoji} back from message {@code target}. */
    record Unreact(long target, String emoji, String clientId) implements Command {}

    /**
     * The member is typing: shown to the room's other members for a few seconds, never stored. Handled by
     * the room's host without waking the room, and passed to the other nodes on the feed.
     */
    record Typing() implements Command {}
}
