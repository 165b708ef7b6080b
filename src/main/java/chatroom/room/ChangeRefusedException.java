package chatroom.room;

/**
 * The store would not apply a change to a message, for a reason its author can act on; the message
 * ({@link #getMessage}) is what the member is told. Nothing was stored and no seq was taken.
 */
public final class ChangeRefusedException extends RuntimeException {

    public static final String UNKNOWN = "There is no such message in this room.";
    public static final String NOT_YOURS = "You can only change your own messages.";
    public static final String DELETED = "That message was deleted.";
    public static final String UNCHANGED = "The edit changes nothing.";
    public static final String ALREADY_REACTED = "You have already reacted with that.";
    public static final String NOT_REACTED = "You have not reacted with that.";
    public static final String TOO_MANY_REACTIONS = "That message has too many reactions to take more.";

    public ChangeRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
