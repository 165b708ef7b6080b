package chatroom.store;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Which messages a store keeps ({@code --keep}, {@code --keep-per-room}); {@link MessagePruner} deletes the
 * rest. Kept are the messages younger than {@code maxAge} (empty: any age) that are also among the
 * {@code perRoom} newest of their room (0: all of them). A message goes when either says so.
 *
 * @param every how long between passes
 * @param batchRows most rows one delete removes: how long the writer can be made to wait
 */
public record Retention(Optional<Duration> maxAge, long perRoom, Duration every, int batchRows) {

    public static final int DEFAULT_BATCH_ROWS = 1_000;

    public Retention {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(every, "every");
        if (perRoom < 0) throw new IllegalArgumentException("perRoom is " + perRoom + "; it must be ≥ 0");
        if (batchRows < 1) throw new IllegalArgumentException("batchRows is " + batchRows + "; it must be ≥ 1");
        if (!every.isPositive()) throw new IllegalArgumentException("every is " + every + "; it must be > 0");
    }

    public static Retention of(Optional<Duration> maxAge, long perRoom, Duration every) {
        return new Retention(maxAge, perRoom, every, DEFAULT_BATCH_ROWS);
    }

    public boolean keepsEverything() {
        return maxAge.isEmpty() && perRoom == 0;
    }

    @Override
    public String toString() {
        String age = maxAge.map(d -> "messages younger than " + shortly(d)).orElse("");
        String count = perRoom > 0 ? "the newest " + perRoom + " of each room" : "";
        if (keepsEverything()) return "everything";
        return age.isEmpty() ? count : count.isEmpty() ? age : age + ", at most " + count;
    }

    /** 90d, 12h, 30m or 45s: the way the flag was most likely written. */
    private static String shortly(Duration duration) {
        long s = duration.toSeconds();
        if (s % 86_400 == 0) return s / 86_400 + "d";
        if (s % 3_600 == 0) return s / 3_600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }
}
