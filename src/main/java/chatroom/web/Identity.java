package chatroom.web;

import chatroom.account.Account;
import chatroom.account.Role;
import chatroom.room.Author;

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

    public Author author() {
        return Author.of(userId, name);
    }
}
