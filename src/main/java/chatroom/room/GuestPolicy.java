package chatroom.room;

import java.util.Locale;

/**
 * What guests (visitors without an account) may do: {@link #POST} as everyone, {@link #READ} rooms but not
 * write in them (messages, edits, reactions, typing), or nothing but the lobby and signing in ({@link #OFF},
 * which the web layer enforces before a room is reached). The room asks {@link Permissions}.
 */
public enum GuestPolicy {
    POST, READ, OFF;

    /** As stored and as {@code --guests} takes it; anything else is {@code POST}, the open default. */
    public static GuestPolicy of(String value) {
        if (value == null) return POST;
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "read" -> READ;
            case "off" -> OFF;
            default -> POST;
        };
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
