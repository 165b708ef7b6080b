package chatroom.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A log-linear histogram of latencies in nanoseconds: exact below 64 ns, then 32 sub-buckets per
 * power of two, so any reported percentile is within 1/32 (about 3%) of the true value, in a fixed
 * 16 KB. HdrHistogram is not on the class path, and keeping every sample would cost 8 bytes per
 * delivery (hundreds of MB for a saturation run).
 *
 * <p>Not thread-safe: each receiving event loop records into its own instance and the scenario
 * merges them with {@link #add} after the connections are closed.
 */
final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int EXACT_BELOW = 2 * SUB_BUCKETS;
    private static final int BUCKETS = 64 * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long maxNanos;
    private long sumNanos;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[indexOf(value)]++;
        count++;
        sumNanos += value;
        if (value > maxNanos) {
            maxNanos = value;
        }
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sumNanos += other.sumNanos;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    long count() {
        return count;
    }

    long maxNanos() {
        return maxNanos;
    }

    /** The value at percentile (0–100]: the upper edge of the bucket holding it, capped at the max. */
    long valueAtPercentileNanos(double percentile) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperEdgeOf(i), maxNanos);
            }
        }
        return maxNanos;
    }

    /** p50/p90/p99/p99.9/max and mean in milliseconds, for the report; only the count when empty. */
    Map<String, Object> summaryMillis() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", count);
        if (count == 0) {
            return summary;
        }
        summary.put("mean", millis(count == 0 ? 0 : sumNanos / count));
        summary.put("p50", millis(valueAtPercentileNanos(50)));
        summary.put("p90", millis(valueAtPercentileNanos(90)));
        summary.put("p99", millis(valueAtPercentileNanos(99)));
        summary.put("p99_9", millis(valueAtPercentileNanos(99.9)));
        summary.put("max", millis(maxNanos));
        return summary;
    }

    static double millis(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    static int indexOf(long value) {
        if (value < EXACT_BELOW) {
            return (int) value;
        }
        int shift = 63 - Long.numberOfLeadingZeros(value) - SUB_BUCKET_BITS;
        return shift * SUB_BUCKETS + (int) (value >>> shift);
    }

    static long upperEdgeOf(int index) {
        if (index < EXACT_BELOW) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        long top = index - (long) shift * SUB_BUCKETS;
        return ((top + 1) << shift) - 1;
    }
}
