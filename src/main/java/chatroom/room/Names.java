package chatroom.room;

import java.util.List;

/** Lists names the way people read them: "ann", "ann and bob", "ann, bob and 3 others". */
public final class Names {

    /** Most names spelled out in one list; the rest are counted. */
    public static final int SHOWN = 3;

    private Names() {}

    public static String listed(List<String> names) {
        int n = names.size();
        if (n == 1) {
            return names.get(0);
        }
        if (n <= SHOWN) {
            return String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
        }
        int others = n - SHOWN;
        return String.join(", ", names.subList(0, SHOWN)) + " and " + others + (others == 1 ? " other" : " others");
    }
}
