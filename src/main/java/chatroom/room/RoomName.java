package chatroom.room;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A room's name as it appears in {@code /r/{name}}. Public names are 1–64 letters, digits, {@code -}
 * and {@code _}, case-insensitive and kept in lower case. Private rooms are named {@code ~} followed by
 * 26 base32 characters (130 random bits): the {@code ~} cannot occur in a public name, so the two
 * never collide, and private names are never listed.
 */
public record RoomName(String value) {

    public static final int MAX_PUBLIC_CHARS = 64;
    private static final Pattern PUBLIC = Pattern.compile("[a-z0-9_-]{1," + MAX_PUBLIC_CHARS + "}");
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final int PRIVATE_ID_CHARS = 26;
    private static final Pattern PRIVATE = Pattern.compile("~[a-z2-7]{" + PRIVATE_ID_CHARS + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public RoomName {
        if (!PUBLIC.matcher(value).matches() && !PRIVATE.matcher(value).matches()) {
            throw new InvalidInputException("room name must be 1–" + MAX_PUBLIC_CHARS
                    + " letters, digits, '-' or '_'; got '" + abbreviate(value) + "'");
        }
    }

    /** Parses what a user typed or a URL holds; throws {@link InvalidInputException} when it is not a room name. */
    public static RoomName parse(String raw) {
        return new RoomName(raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT));
    }

    /** A new private room: 26 base32 characters of a secure random source, 130 bits. */
    public static RoomName newPrivate() {
        StringBuilder id = new StringBuilder(PRIVATE_PREFIX);
        for (int i = 0; i < PRIVATE_ID_CHARS; i++) {
            id.append(BASE32.charAt(RANDOM.nextInt(BASE32.length())));
        }
        return new RoomName(id.toString());
    }

    /** What every private room's name starts with, and no public name contains. */
    public static final String PRIVATE_PREFIX = "~";

    public boolean isPrivate() {
        return value.startsWith(PRIVATE_PREFIX);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
