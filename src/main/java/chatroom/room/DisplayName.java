package chatroom.room;

/**
 * The rules for a user's display name: trimmed, 1–32 characters, no control or bidirectional control
 * characters, and something visible (see {@link VisibleText}). Names are not unique: pages show each
 * author's tag beside the name, so two "alice"s can be told apart.
 */
public final class DisplayName {

    public static final int MAX_CHARS = 32;

    private DisplayName() {}

    /** Returns the name as it will be used, or throws {@link InvalidInputException} saying what is wrong. */
    public static String clean(String raw) {
        String name = VisibleText.withoutBidiControls(raw == null ? "" : raw).strip();
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("name may not contain control characters");
        }
        if (VisibleText.isBlank(name)) {
            throw new InvalidInputException(name.isEmpty() ? "name is empty" : "name has no visible characters");
        }
        int chars = name.codePointCount(0, name.length());
        if (chars > MAX_CHARS) {
            throw new InvalidInputException("name is " + chars + " characters; the limit is " + MAX_CHARS);
        }
        return name;
    }
}
