package chatroom.room;

/**
 * The rules for a message's text: trimmed, something visible in it (see {@link VisibleText}), not
 * longer than the limit in characters nor in lines, no control characters but line breaks and tabs, no
 * bidirectional controls.
 */
final class MessageText {

    /** Most lines in one message: enough for a paste of code, not for a wall of blank lines. */
    static final int MAX_LINES = 100;

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
                .filter(cp -> !VisibleText.isBidiControl(cp))
                .forEach(text::appendCodePoint);
        String cleaned = text.toString().strip();
        if (cleaned.isEmpty()) {
            throw new InvalidInputException("message is empty");
        }
        if (VisibleText.isBlank(cleaned)) {
            throw new InvalidInputException("message has no visible characters");
        }
        int chars = cleaned.codePointCount(0, cleaned.length());
        if (chars > maxChars) {
            throw new InvalidInputException("message is " + chars + " characters; the limit is " + maxChars);
        }
        long lines = cleaned.chars().filter(c -> c == '\n').count() + 1;
        if (lines > MAX_LINES) {
            throw new InvalidInputException("message has " + lines + " lines; the limit is " + MAX_LINES);
        }
        return cleaned;
    }
}
