package chatroom.room;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who sent a message or holds a socket: the user id from the signed identity cookie (never from a
 * frame), the display name at this moment, and a public tag. The tag lets a page recognise its own
 * messages in the fragments that every member shares, without showing anyone the id.
 */
public record Author(String id, String name, String tag) {

    public static Author of(String id, String name) {
        return new Author(id, name, tagOf(id));
    }

    public Author renamed(String newName) {
        return new Author(id, newName, tag);
    }

    /** First 48 bits of SHA-256 of the id: stable, not reversible, unique enough to tell authors apart. */
    public static String tagOf(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
