package chatroom.room;

import java.util.ArrayDeque;

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
 */
final class CatchUps {

    /** Heap allowed per running catch-up when sizing from the heap: generous, for the longest gaps. */
    private static final long HEAP_PER_CATCH_UP = 32L << 20;

    private final int limit;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;

    CatchUps(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
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
        synchronized (this) {
            if (running >= limit) {
                waiting.add(later);
                return false;
            }
            running++;
            return true;
        }
    }

    /** A catch-up that {@link #startNowOr} let start is done (or was dropped): the next waiting one runs in its place. */
    void finished() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                running--;
                return;
            }
        }
        next.run();
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
