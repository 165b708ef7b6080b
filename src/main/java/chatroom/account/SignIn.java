package chatroom.account;

/**
 * A browser signed in to an account: the hash of the session id its cookie holds (never the id), and what
 * the device list shows of it.
 */
public record SignIn(String idHash, String userId, long atMs, String userAgent, String address) {}
