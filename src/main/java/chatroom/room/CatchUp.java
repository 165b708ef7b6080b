package chatroom.room;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a joining or reconnecting member up to date, for its {@link Room}: what it missed comes from the
 * {@link RecentMessages} run when that covers it, otherwise from the store, and meanwhile the live events
 * delivered to the room are held for it ({@link Members#catchingUp}) and sent after, skipping any the read
 * already held. A page that shows nothing yet gets the latest page of messages; one that shows up to a
 * seq gets the events after it, or the latest page when it missed more than the replay limit.
 *
 * <p>One read of the latest page serves every page that arrives while it runs, and the node's {@link
 * CatchUps} limit how many reads run at once. Continuations come back through {@link RoomHost#run}, to
 * whichever room is current then. Room's thread only.
 */
final class CatchUp {

    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    private final RoomHost host;
    private final Members members;
    private final RoomCursor cursor;
    private final RecentMessages recent;
    private final MessageStore store;
    private final RoomViews views;
    private final RoomSettings settings;
    private final CatchUps catchUps;

    /** Reads not yet answered; the room stays awake until they are. */
    private int readsPending;
    /** The run of recent messages rendered as a first join's history, kept until the next event. */
    private Fragment recentRendered;
    /** Whether a read of the latest page, for a member showing nothing yet, is under way. */
    private boolean latestReadPending;
    /** Members showing nothing yet who joined while that read was under way; served from its result. */
    private final List<LatestWaiter> waitingForLatest = new ArrayList<>();

    CatchUp(RoomHost host, Members members, RoomCursor cursor, RecentMessages recent, RoomServices services) {
        this.host = host;
        this.members = members;
        this.cursor = cursor;
        this.recent = recent;
        this.store = services.messages();
        this.views = services.views();
        this.settings = services.settings();
        this.catchUps = services.catchUps();
    }

    /** Sends {@code member} what it missed after {@code afterSeq} (negative: its page shows nothing yet). */
    void start(Member member, long afterSeq) {
        if (recent.covers(afterSeq)) {
            sendRecent(member, afterSeq);
        } else {
            fromStore(member, afterSeq);
        }
    }

    /** A new event reached the members: the rendered run of recent messages is out of date. */
    void delivered() {
        recentRendered = null;
    }

    /** True when no read is unanswered. */
    boolean idle() {
        return readsPending == 0;
    }

    private void sendRecent(Member member, long afterSeq) {
        List<Message> missed = recent.after(afterSeq);
        if (afterSeq >= 0) {
            if (!missed.isEmpty()) {
                members.send(member, views.history(missed, false));
            }
            return;
        }
        if (recentRendered == null) {
            recentRendered = views.history(missed, true);
        }
        members.send(member, recentRendered);
    }

    private void fromStore(Member member, long afterSeq) {
        members.catchingUp(member);
        readsPending++;
        // Every event delivered from now on is held for the member, so what it missed ends here, at the
        // room's position now, however late the read runs (a starved reader, a turn long in coming). Read
        // up to the newest event instead, a late read would return a "latest page" that begins after
        // events already held for the member, and those would never be sent: its own among them.
        long joinedAt = cursor.position();
        if (afterSeq < 0) {
            if (latestReadPending) {
                // one read of the latest page serves every page arriving meanwhile: a crowd joining a room
                // whose latest messages are not in memory costs one read, not one per arrival each waiting
                // for a turn of the node's catch-up limit (minutes, in a storm of thousands)
                waitingForLatest.add(new LatestWaiter(member, joinedAt));
                return;
            }
            latestReadPending = true;
        }
        startRead(member, afterSeq, joinedAt);
    }

    private void startRead(Member member, long afterSeq, long joinedAt) {
        // read at once when the node's limit allows, else when a running catch-up finishes
        if (catchUps.startNowOr(() -> host.run(room -> room.catchUp().turnCame(member, afterSeq, joinedAt)))) {
            turnCame(member, afterSeq, joinedAt);
        }
    }

    /** A member showing nothing yet, waiting for the read of the latest page another member started. */
    private record LatestWaiter(Member member, long joinedAt) {}

    /**
     * The read of the latest page has ended (read, failed, or its member left before its turn): serve who
     * waited for it from the run of recent messages it let the room know, or let the next of them read.
     */
    private void latestReadEnded() {
        latestReadPending = false;
        List<LatestWaiter> waiters = new ArrayList<>(waitingForLatest);
        waitingForLatest.clear();
        for (LatestWaiter waiter : waiters) {
            Member member = waiter.member();
            if (!members.isCatchingUp(member)) {
                readsPending--; // left meanwhile
                continue;
            }
            List<Message> page = recent.latestUpTo(waiter.joinedAt());
            if (page != null) {
                // as if its own read had returned that page: the same history, then what was held for it
                send(member, -1, new Missed.Latest(page), null);
            } else if (!latestReadPending) {
                latestReadPending = true;
                startRead(member, -1, waiter.joinedAt());
            } else {
                waitingForLatest.add(waiter);
            }
        }
    }

    /** The member's turn to catch up has come (see {@link CatchUps}); it may have left while it waited. */
    private void turnCame(Member member, long afterSeq, long joinedAt) {
        if (!members.isCatchingUp(member)) {
            readsPending--;
            catchUps.finished();
            if (afterSeq < 0) {
                latestReadEnded();
            }
            return;
        }
        read(afterSeq, joinedAt)
                .whenComplete((missed, error) -> host.run(room -> room.catchUp().read(member, afterSeq, missed, error)));
    }

    /** What a member joining when the room stood at {@code joinedAt} missed: nothing after {@code joinedAt}. */
    private CompletableFuture<Missed> read(long afterSeq, long joinedAt) {
        String room = host.name().value();
        if (afterSeq < 0) {
            return latest(room, joinedAt);
        }
        // ask for one more than the limit to learn whether the gap is too big to replay
        return store.after(room, afterSeq, settings.replayLimit() + 1).thenCompose(read -> {
            List<RoomEvent> missed = read.stream().filter(e -> e.seq() <= joinedAt).toList();
            if (missed.size() <= settings.replayLimit()) {
                return CompletableFuture.completedFuture(new Missed.Events(missed));
            }
            return latest(room, joinedAt);
        });
    }

    /** The latest page up to {@code joinedAt}: the events after it reach the member live. */
    private CompletableFuture<Missed> latest(String room, long joinedAt) {
        return store.before(room, joinedAt + 1, settings.historyMessages()).thenApply(Missed.Latest::new);
    }

    /** What a member missed: the events after its page's last one, or the latest page of messages instead. */
    private sealed interface Missed {
        record Events(List<RoomEvent> events) implements Missed {}

        record Latest(List<Message> page) implements Missed {}
    }

    private void read(Member member, long afterSeq, Missed missed, Throwable error) {
        try {
            send(member, afterSeq, missed, error);
        } finally {
            // only now: what was read for this member has been rendered and queued for its socket
            catchUps.finished();
            if (afterSeq < 0) {
                latestReadEnded();
            }
        }
    }

    private void send(Member member, long afterSeq, Missed missed, Throwable error) {
        readsPending--;
        List<Fragment> held = members.caughtUp(member);
        if (held == null) {
            return; // left meanwhile
        }
        long shownUpTo = Math.max(afterSeq, 0);
        if (error != null) {
            log.warn("{}: history for {} not read: {}", host.name(), member.author().id(), error.toString());
            members.send(member, views.error("History could not be loaded; new messages will still appear."));
        } else {
            // the read ends where the room stood when the member joined (fromStore): nothing in it is among
            // the held events, nor beyond what this node has delivered
            shownUpTo = Math.max(shownUpTo, switch (missed) {
                case Missed.Events events -> sendEvents(member, events.events());
                case Missed.Latest latest -> sendLatest(member, afterSeq, latest.page());
            });
        }
        for (Fragment fragment : held) {
            if (fragment.seq() == 0 || fragment.seq() > shownUpTo) {
                members.send(member, fragment);
            }
        }
    }

    /** Sends the events the member missed; returns the newest seq they show (0 for none). */
    private long sendEvents(Member member, List<RoomEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        members.send(member, views.missed(events));
        return events.getLast().seq();
    }

    /** Sends the latest page in place of what the page shows; returns the newest seq it shows (0 for none). */
    private long sendLatest(Member member, long afterSeq, List<Message> page) {
        recent.adopt(page, cursor.position());
        members.send(member, views.history(page, true));
        if (page.isEmpty()) {
            return 0;
        }
        if (afterSeq >= 0 && page.getFirst().seq() > afterSeq + 1) {
            long missed = page.getFirst().seq() - afterSeq - 1;
            members.send(member, views.notice("You missed " + missed
                    + " messages while disconnected; load older messages above to read them."));
        }
        return page.getLast().seq();
    }
}
