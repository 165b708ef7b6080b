package chatroom.account;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Map;

/**
 * The form of a display name under which two names count as the same for reserving it: a claimed "Alice"
 * keeps out "alice", "ALİCE", "Àlice", "A l i c e", "al1ce" and "Аlice" with a Cyrillic А. Folding is
 * compatibility decomposition (so full-width and styled letters become plain ones), accents dropped,
 * lower case, letters of other scripts that look Latin mapped to the Latin letter, digits and signs that
 * pass for letters mapped likewise, the pairs "rn" and "vv" read as "m" and "w", and everything that is
 * neither letter nor digit (spaces, dots, dashes, emoji) left out.
 *
 * <p>It is deliberately coarse: it refuses a few honest names that look like a claimed one, which is the
 * point. A name with nothing left after folding (all emoji, say) is its own key, compared exactly.
 */
public final class NameKey {

    /** Characters that look like a Latin letter, beyond what decomposition already maps. */
    private static final Map<Integer, Character> LOOKALIKES = Map.ofEntries(
            // digits and signs
            Map.entry((int) '0', 'o'), Map.entry((int) '1', 'l'), Map.entry((int) '3', 'e'), Map.entry((int) '4', 'a'),
            Map.entry((int) '5', 's'), Map.entry((int) '7', 't'), Map.entry((int) '8', 'b'), Map.entry((int) '$', 's'),
            Map.entry((int) '@', 'a'), Map.entry((int) '|', 'l'), Map.entry((int) '!', 'l'),
            // Latin letters that pass for others
            Map.entry((int) 'i', 'l'), Map.entry((int) 'ı', 'l'), Map.entry((int) 'ł', 'l'), Map.entry((int) 'ø', 'o'),
            Map.entry((int) 'đ', 'd'), Map.entry((int) 'ħ', 'h'), Map.entry((int) 'ß', 's'),
            // Cyrillic
            Map.entry(0x0430, 'a'), Map.entry(0x0432, 'b'), Map.entry(0x0435, 'e'), Map.entry(0x043E, 'o'),
            Map.entry(0x0440, 'p'), Map.entry(0x0441, 'c'), Map.entry(0x0443, 'y'), Map.entry(0x0445, 'x'),
            Map.entry(0x0456, 'l'), Map.entry(0x0458, 'j'), Map.entry(0x0455, 's'), Map.entry(0x04BB, 'h'),
            Map.entry(0x043A, 'k'), Map.entry(0x043C, 'm'), Map.entry(0x043D, 'h'), Map.entry(0x0442, 't'),
            Map.entry(0x0501, 'd'), Map.entry(0x051B, 'q'), Map.entry(0x051D, 'w'),
            // Greek
            Map.entry(0x03B1, 'a'), Map.entry(0x03B2, 'b'), Map.entry(0x03B5, 'e'), Map.entry(0x03B9, 'l'),
            Map.entry(0x03BA, 'k'), Map.entry(0x03BD, 'v'), Map.entry(0x03BF, 'o'), Map.entry(0x03C1, 'p'),
            Map.entry(0x03C4, 't'), Map.entry(0x03C5, 'u'), Map.entry(0x03C7, 'x'), Map.entry(0x03B7, 'n'));

    private NameKey() {}

    /** The key of a display name already cleaned by {@code DisplayName.clean}. */
    public static String of(String name) {
        String decomposed = Normalizer.normalize(name, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        StringBuilder key = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(c -> {
            if (Character.getType(c) == Character.NON_SPACING_MARK) return; // accents
            Character latin = LOOKALIKES.get(c);
            if (latin != null) {
                key.append(latin.charValue());
            } else if (Character.isLetterOrDigit(c)) {
                key.appendCodePoint(c);
            }
        });
        String folded = key.toString().replace("rn", "m").replace("vv", "w");
        return folded.isEmpty() ? "=" + name : folded;
    }
}
