package chatroom.room;

import chatroom.metrics.Meters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one room's committed events in sequence order for this node, whatever order the {@link
 * MessageFeed} brings them in, and fills what it lost from the {@link RoomLog}. It keeps the room's
 * cursor: the newest seq delivered to the room here. An event at or below the cursor is a repeat and is
 * dropped; the next one is delivered, then whatever was held after it; one further ahead is held for a
 * short while ({@link RoomSettings#holdEarly}), after which the gap is read from the store. A {@link
 * #tailIs} check (after the feed reconnects, and now and then) reads from the store whatever the feed
 * never announced, such as an event whose node died between its commit and its publish.
 *
 * <p>The cursor starts from the store ({@link #start}): until then events are held, and the room
 * takes no events ({@link #started()} tells), so no member can fall between the store and the feed.
 *
 * <p>Threading: the room's thread only; store answers are handed back to it. It lives as long as the
 * room's {@link RoomHost}, not its {@link Room}, which sleeps.
 */
final class RoomCursor {

    private static final Logger log = LoggerFactory.getLogger(RoomCursor.class);

    /** Events read from the store per gap-filling read; a longer gap takes several. */
    static final int FILL_PAGE = 500;
    /** Most events held ahead of the cursor; beyond this they are dropped and read back from the store. */
    static final int MAX_HELD = 10_000;
    /** How long to wait before reading the store again after a failed read. */
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

    private static final long UNKNOWN = -1;

    private final RoomName room;
    private final RoomLog events;
    private final ScheduledExecutorService roomThread;
    private final Duration holdEarly;
    private final Consumer<RoomEvent> deliver;
    private final Runnable onStarted;

    private long cursor = UNKNOWN;
    /** Events that came ahead of the cursor, by seq. */
    private final TreeMap<Long, RoomEvent> held = new TreeMap<>();
    /** A store read is on its way: no second one meanwhile. */
    private boolean reading;
    private boolean gapCheckScheduled;
    private boolean failing;

    /**
     * @param deliver gets each event once, in seq order, on the room's thread
     * @param onStarted runs once, on the room's thread, when the cursor is known
     */
    RoomCursor(
            RoomName room,
            RoomLog log,
            ScheduledExecutorService roomThread,
            Duration holdEarly,
            Consumer<RoomEvent> deliver,
            Runnable onStarted) {
        this.room = room;
        this.events = log;
        this.roomThread = roomThread;
        this.holdEarly = holdEarly;
        this.deliver = deliver;
        this.onStarted = onStarted;
    }

    /** Reads where the room stands, to start the cursor there. */
    void start() {
        reading = true;
        events.lastSeqs(List.of(room.value()))
                .whenComplete((last, error) -> roomThread.execute(() -> startedAt(last, error)));
    }

    boolean started() {
        return cursor != UNKNOWN;
    }

    /** The newest seq delivered to the room on this node (0 for none), or -1 before {@link #started()}. */
    long position() {
        return cursor;
    }

    /** An event from the feed. */
    void offer(RoomEvent event) {
        if (cursor != UNKNOWN && event.seq() <= cursor) {
            return; // delivered already
        }
        if (cursor != UNKNOWN && event.seq() == cursor + 1 && held.isEmpty()) {
            cursor = event.seq(); // the usual case: next in order, nothing waiting
            deliver.accept(event);
            return;
        }
        hold(event);
        if (cursor == UNKNOWN) {
            return;
        }
        deliverInOrder();
        if (!held.isEmpty()) {
            checkGapLater(holdEarly);
        }
    }

    /** The store says the room's newest seq is {@code lastSeq}: read what this node has not seen. */
    void tailIs(long lastSeq) {
        if (cursor != UNKNOWN && lastSeq > cursor && !reading) {
            fill();
        }
    }

    private void startedAt(Map<String, Long> last, Throwable error) {
        reading = false;
        if (error != null) {
            logFailure("cannot read where the room stands", error);
            roomThread.schedule(this::start, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        recovered();
        cursor = last.getOrDefault(room.value(), 0L);
        deliverInOrder();
        onStarted.run();
        if (!held.isEmpty()) {
            checkGapLater(holdEarly);
        }
    }

    private void hold(RoomEvent event) {
        if (held.size() >= MAX_HELD && event.seq() > held.lastKey()) {
            return; // the gap-filling reads will bring it
        }
        held.putIfAbsent(event.seq(), event);
        if (held.size() > MAX_HELD) {
            held.pollLastEntry();
        }
    }

    private void deliverInOrder() {
        while (!held.isEmpty()) {
            long first = held.firstKey();
            if (first <= cursor) {
                held.pollFirstEntry();
            } else if (first == cursor + 1) {
                cursor = first;
                deliver.accept(held.pollFirstEntry().getValue());
            } else {
                return;
            }
        }
    }

    private void checkGapLater(Duration delay) {
        if (gapCheckScheduled || reading) {
            return;
        }
        gapCheckScheduled = true;
        roomThread.schedule(
                () -> {
                    gapCheckScheduled = false;
                    if (!held.isEmpty() && !reading) {
                        fill();
                    }
                },
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Reads the events after the cursor from the store, page by page, until it has them all. */
    private void fill() {
        reading = true;
        Meters.gapRead();
        long from = cursor;
        events.after(room.value(), from, FILL_PAGE)
                .whenComplete((page, error) -> roomThread.execute(() -> filled(from, page, error)));
    }

    private void filled(long from, List<RoomEvent> page, Throwable error) {
        reading = false;
        if (error != null) {
            logFailure("cannot read the events after " + cursor, error);
            checkGapLater(RETRY_AFTER_FAILURE);
            return;
        }
        recovered();
        if (!page.isEmpty() && page.getFirst().seq() > from + 1 && cursor == from) {
            // committed seqs have no holes, so the store no longer has from + 1…: retention pruned them before
            // they were delivered here (a room far behind, a tiny --keep-per-room); waiting would stall the room
            cursor = page.getFirst().seq() - 1;
        }
        for (RoomEvent event : page) {
            if (event.seq() > cursor) {
                held.putIfAbsent(event.seq(), event);
            }
        }
        deliverInOrder();
        if (page.size() == FILL_PAGE) {
            fill();
        } else if (!held.isEmpty()) {
            checkGapLater(holdEarly);
        }
    }

    private void logFailure(String what, Throwable error) {
        if (!failing) {
            log.warn("{}: {}; will retry every {} ms: {}", room, what, RETRY_AFTER_FAILURE.toMillis(), error.toString());
            failing = true;
        }
    }

    private void recovered() {
        if (failing) {
            log.info("{}: reading the store again", room);
            failing = false;
        }
    }
}
