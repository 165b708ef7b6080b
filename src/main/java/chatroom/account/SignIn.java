package chatroom.account;

/**
 * A browser signed in to an account: the hash of the session id its cookie holds (never the id), and what
 * the device list shows of it.
 */
public record SignIn(String idHash, String userId, long atMs, String userAgent, String address) {

    /** The same sign-in, of {@code userId} (known only once a device link is used). */
    public SignIn of(String userId) {
        return new SignIn(idHash, userId, atMs, userAgent, address);
    }
}
