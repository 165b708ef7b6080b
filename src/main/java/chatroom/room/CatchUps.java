package chatroom.room;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many pages may catch up from the store at once on this node. A catch-up holds a page of messages
 * read from the store, then its rendering, until it is written: a few MB for a long gap of long messages.
 * A storm of reconnecting pages (a node restarted, a network blip) each replaying a long gap would hold
 * them all at once and exhaust the heap; past the limit, catch-ups wait their turn in arrival order. A
 * waiting page is held like any page catching up: the room's live messages are kept for it (references to
 * fragments every member shares) until its turn comes, which at 8 at a time takes milliseconds per page.
 *
 * <p>Thread-safe: the rooms of every thread share one. A waiting catch-up posts itself to its room's
 * thread when its turn comes, so the lock is held for a few field updates.
 *
 * <p>A turn that never comes (a catch-up that never ended) would stall every later catch-up on the node
 * without a word: a wait past {@link #LONG_WAIT} is logged, at most once per {@code LONG_WAIT}, by the
 * next catch-up that starts, waits or ends.
 */
final class CatchUps {

    private static final Logger log = LoggerFactory.getLogger(CatchUps.class);

    /** Far longer than a turn takes (milliseconds per page), even on a loaded machine. */
    static final Duration LONG_WAIT = Duration.ofSeconds(10);

    /** Heap allowed per running catch-up when sizing from the heap: generous, for the longest gaps. */
    private static final long HEAP_PER_CATCH_UP = 32L << 20;

    private final int limit;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int running;
    private long warnedAtNanos;
    private boolean warned;

    private record Waiting(Runnable later, long sinceNanos) {}

    CatchUps(int limit) {
        this(limit, System::nanoTime);
    }

    CatchUps(int limit, LongSupplier nanoTime) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
        this.nanoTime = nanoTime;
    }

    /** Sized from this JVM's heap: 8 for the 256 MB that {@code ./chatroom run} gives, between 4 and 64. */
    static CatchUps sizedForHeap() {
        return new CatchUps((int) Math.clamp(Runtime.getRuntime().maxMemory() / HEAP_PER_CATCH_UP, 4, 64));
    }

    /**
     * True if the caller may catch up now (fewer than the limit are running); else {@code later} runs
     * when one finishes, on the thread that finished it, and must not block.
     */
    boolean startNowOr(Runnable later) {
        long now = nanoTime.getAsLong();
        String longWait;
        boolean started;
        synchronized (this) {
            longWait = longWait(now);
            started = running < limit;
            if (started) {
                running++;
            } else {
                waiting.add(new Waiting(later, now));
            }
        }
        if (longWait != null) {
            log.warn(longWait);
        }
        return started;
    }

    /** A catch-up that {@link #startNowOr} let start is done (or was dropped): the next waiting one runs in its place. */
    void finished() {
        long now = nanoTime.getAsLong();
        String longWait;
        Waiting next;
        synchronized (this) {
            longWait = longWait(now);
            next = waiting.poll();
            if (next == null) {
                running--;
            }
        }
        if (longWait != null) {
            log.warn(longWait);
        }
        if (next != null) {
            next.later().run();
        }
    }

    /** What to log when the oldest waiting catch-up has waited past {@link #LONG_WAIT}, or null. */
    private String longWait(long now) {
        Waiting oldest = waiting.peek();
        long limitNanos = LONG_WAIT.toNanos();
        if (oldest == null || now - oldest.sinceNanos() < limitNanos || (warned && now - warnedAtNanos < limitNanos)) {
            return null;
        }
        warned = true;
        warnedAtNanos = now;
        return "catch-ups: the oldest of " + waiting.size() + " waiting has waited " + (now - oldest.sinceNanos()) / 1_000_000
                + " ms for a turn; " + running + " running, the limit is " + limit + " (a catch-up that never ended?)";
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
