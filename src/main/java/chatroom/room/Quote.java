package chatroom.room;

/**
 * What a reply shows of the message it answers, read from the store as that message now is (never from
 * the replying frame): its seq, its author's name and its first line, shortened. {@code authorName} is
 * null when the original is no longer kept (pruned by retention); {@code deleted} when it was taken back,
 * and then there is no excerpt.
 */
public record Quote(long seq, String authorName, String excerpt, boolean deleted) {

    /** At most this many characters (code points) of the first line; longer ones end in "…". */
    public static final int EXCERPT_CHARS = 100;

    /** How much of an original's text the store reads for its quote: enough for the first line's excerpt. */
    public static final int READ_CHARS = 4 * EXCERPT_CHARS;

    /** The quote of {@code original} as it now is. */
    public static Quote of(Message original) {
        return of(original.seq(), original.authorName(), original.text(), original.deleted());
    }

    public static Quote of(long seq, String authorName, String text, boolean deleted) {
        return new Quote(seq, authorName, deleted || text == null ? "" : excerpt(text), deleted);
    }

    /** A reply whose original retention has removed. */
    public static Quote gone(long seq) {
        return new Quote(seq, null, "", false);
    }

    public boolean kept() {
        return authorName != null;
    }

    private static String excerpt(String text) {
        String line = text.strip();
        int newline = line.indexOf('\n');
        boolean cut = newline >= 0;
        if (cut) line = line.substring(0, newline).strip();
        if (line.codePointCount(0, line.length()) > EXCERPT_CHARS) {
            line = line.substring(0, line.offsetByCodePoints(0, EXCERPT_CHARS)).strip();
            cut = true;
        }
        return cut ? line + "…" : line;
    }
}
