package chatroom.room;

import java.util.List;

/** Lists names the way people read them: "ann", "ann and bob", "ann, bob and 3 others". */
public final class Names {

    /** Most names spelled out in one list; the rest are counted. */
    public static final int SHOWN = 3;

    private Names() {}

    public static String listed(List<String> names) {
        return listed(names, SHOWN);
    }

    /** The same, with up to {@code shown} names spelled out. */
    public static String listed(List<String> names, int shown) {
        int n = names.size();
        if (n == 1) {
            return names.get(0);
        }
        if (n <= shown) {
            return String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
        }
        int others = n - shown;
        return String.join(", ", names.subList(0, shown)) + " and " + others + (others == 1 ? " other" : " others");
    }
}
