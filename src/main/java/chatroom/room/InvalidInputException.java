package chatroom.room;

/**
 * Input a user can fix: a bad room name, an empty or over-long message. The message is shown to that
 * user as it is, so it names the subject, the value and the limit, and never holds internals.
 */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message, null, false, false);
    }
}
