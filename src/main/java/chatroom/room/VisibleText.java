package chatroom.room;

/**
 * What a reader can actually see of a text. Names and messages must show something: zero-width
 * characters, fillers that render as blank (Hangul filler, Braille blank) and format characters can
 * make a name invisible or a message look empty. And the text must not reorder what is around it:
 * bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed, so that a name with
 * U+202E cannot reverse the rest of a notice; pages also isolate every name and message with {@code
 * <bdi>} / {@code dir="auto"}.
 */
final class VisibleText {

    private VisibleText() {}

    /** The text without bidirectional override, embedding and isolate controls. */
    static String withoutBidiControls(String text) {
        StringBuilder kept = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !isBidiControl(cp)).forEach(kept::appendCodePoint);
        return kept.toString();
    }

    /** True when nothing of the text would show: only spaces, invisible, format or filler characters. */
    static boolean isBlank(String text) {
        return text.codePoints().allMatch(VisibleText::isInvisible);
    }

    static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    private static boolean isInvisible(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
            return true; // zero-width space/joiners, word joiner, BOM, tag characters, …
        }
        return switch (cp) {
            // characters that are letters or symbols to Unicode but render as blank space
            case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x034F -> true;
            default -> false;
        };
    }
}
