package chatroom.room;

/** The rules for a message's text: trimmed, not empty, not longer than the limit, no control characters. */
final class MessageText {

    private MessageText() {}

    /** Returns the text as it will be stored, or throws {@link InvalidInputException} saying what is wrong. */
    static String clean(String raw, int maxChars) {
        if (raw == null) {
            throw new InvalidInputException("message is missing");
        }
        StringBuilder text = new StringBuilder(raw.length());
        raw.codePoints()
                // keep line breaks and tabs; drop other control characters, which only confuse other readers' screens
                .filter(cp -> cp == '\n' || cp == '\t' || !Character.isISOControl(cp))
                .forEach(text::appendCodePoint);
        String cleaned = text.toString().strip();
        if (cleaned.isEmpty()) {
            throw new InvalidInputException("message is empty");
        }
        int chars = cleaned.codePointCount(0, cleaned.length());
        if (chars > maxChars) {
            throw new InvalidInputException("message is " + chars + " characters; the limit is " + maxChars);
        }
        return cleaned;
    }
}
