package chatroom.account;

/** A name that an account holds, or one that looks like it, asked for by someone else. */
public final class NameTakenException extends RuntimeException {

    public NameTakenException(String name) {
        super("\"" + name + "\" is kept by someone with an account; choose another name", null, false, false);
    }
}
