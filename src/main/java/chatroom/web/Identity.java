package chatroom.web;

import chatroom.account.Account;
import chatroom.account.Role;
import chatroom.room.Author;
import chatroom.room.Standing;

/**
 * A visitor: a random user id of 128 bits and a display name, carried in a signed cookie for a guest, or
 * an account's, recognised by its session cookie.
 *
 * @param issued true when the response must set the guest cookie: the request carried no valid cookie and
 *     this identity was just made, or its cookie is due to be issued anew (old, or without an issue time)
 * @param role the account's role, or null for a guest
 * @param session the hash of the session that signed this account in, or null for a guest
 */
public record Identity(String userId, String name, boolean issued, Role role, String session) {

    public Identity(String userId, String name, boolean issued) {
        this(userId, name, issued, null, null);
    }

    static Identity of(Account account, String sessionHash) {
        return new Identity(account.userId(), account.name(), false, account.role(), sessionHash);
    }

    public boolean hasAccount() {
        return role != null;
    }

    /** An account an auth proxy vouched for on this request (single sign-on): no session of ours. */
    public boolean viaProxy() {
        return role != null && session == null;
    }

    /** As the room judges: a guest, or the account's role. */
    public Standing standing() {
        if (role == null) return Standing.GUEST;
        return switch (role) {
            case MEMBER -> Standing.MEMBER;
            case MODERATOR -> Standing.MODERATOR;
            case OWNER -> Standing.OWNER;
        };
    }

    public Author author() {
        return Author.of(userId, name);
    }
}
