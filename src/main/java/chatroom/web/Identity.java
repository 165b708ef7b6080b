package chatroom.web;

import chatroom.room.Author;

/**
 * A visitor: a random user id of 128 bits and a display name, carried in a signed cookie.
 *
 * @param issued true when the response must set the cookie: the request carried no valid cookie and
 *     this identity was just made, or its cookie is due to be issued anew (old, or without an issue time)
 */
public record Identity(String userId, String name, boolean issued) {

    public Author author() {
        return Author.of(userId, name);
    }
}
