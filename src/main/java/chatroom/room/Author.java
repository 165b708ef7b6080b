package chatroom.room;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Who sent a message or holds a socket: the user id from the signed identity cookie (never from a
 * frame), the display name at this moment, and a public tag. The tag lets a page recognise its own
 * messages in the fragments that every member shares, without showing anyone the id.
 */
public record Author(String id, String name, String tag) {

    public static Author of(String id, String name) {
        return new Author(id, name, tagOf(id));
    }

    /** The ids of {@code authors}, in a set of their own (the caller may change it). */
    public static Set<String> ids(List<Author> authors) {
        Set<String> ids = new HashSet<>();
        authors.forEach(author -> ids.add(author.id()));
        return ids;
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
