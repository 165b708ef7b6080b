package chatroom.room;

import chatroom.metrics.Meters;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appends of a {@link Room} waiting for the store, and each sender's deadline ({@link
 * RoomSettings#storeTimeout}): a sender whose message the store has not answered in time is told it was
 * not sent (a database frozen, or unreachable with no error yet, leaves the writer waiting in a socket
 * read with nothing to report). One timer per room, for its oldest append, rather than one per message;
 * a room's appends complete in call order, so the oldest is always the next to fall due.
 *
 * <p>Each {@link Sending} is answered once, by whichever comes first: the commit or the store's failure
 * (on the store's thread) or the deadline (on the room's thread). Everything else is the room's thread.
 */
final class SendDeadlines {

    private static final Logger log = LoggerFactory.getLogger(SendDeadlines.class);

    private final RoomHost host;
    private final Members members;
    private final RoomViews views;
    private final RoomSettings settings;

    /** Appends not yet answered, oldest first. */
    private final ArrayDeque<Sending> sending = new ArrayDeque<>();
    /** The timer of the oldest unanswered sender's deadline, or null. */
    private ScheduledFuture<?> check;

    SendDeadlines(RoomHost host, Members members, RoomServices services) {
        this.host = host;
        this.members = members;
        this.views = services.views();
        this.settings = services.settings();
    }

    /** One append waiting for the store; {@link #answer} is true once its sender has had an answer. */
    static final class Sending {
        final Member member;
        final String clientId;
        final long sentNanos;
        private final AtomicBoolean answered = new AtomicBoolean();

        private Sending(Member member, String clientId, long sentNanos) {
            this.member = member;
            this.clientId = clientId;
            this.sentNanos = sentNanos;
        }

        /** Marks the sender answered; true for the one caller that answers it. Any thread. */
        boolean answer() {
            return answered.compareAndSet(false, true);
        }

        boolean answered() {
            return answered.get();
        }
    }

    /** Starts the deadline of a message {@code member} is sending now. */
    Sending track(Member member, String clientId) {
        Sending answer = new Sending(member, clientId, System.nanoTime());
        forgetAnswered();
        sending.add(answer);
        scheduleCheck();
        return answer;
    }

    /**
     * True when every sender has had an answer. Cancels a timer that would find nothing to do: firing on a
     * room gone from memory, it would bring the room back for nobody.
     */
    boolean idle() {
        forgetAnswered();
        if (sending.isEmpty() && check != null) {
            check.cancel(false);
            check = null;
        }
        return sending.isEmpty();
    }

    /** Drops the answered appends at the head: the rest of the queue is younger, and mostly unanswered. */
    private void forgetAnswered() {
        while (!sending.isEmpty() && sending.peekFirst().answered()) {
            sending.pollFirst();
        }
    }

    private void scheduleCheck() {
        if (check != null || sending.isEmpty()) return;
        long dueNanos = sending.peekFirst().sentNanos + settings.storeTimeout().toNanos() - System.nanoTime();
        check = host.executor()
                .schedule(() -> host.run(room -> room.deadlines().due()), Math.max(0, dueNanos), TimeUnit.NANOSECONDS);
    }

    /** Tells each sender whose message the store has not answered within the store timeout that it was not sent. */
    private void due() {
        check = null;
        long now = System.nanoTime();
        long timeoutNanos = settings.storeTimeout().toNanos();
        while (!sending.isEmpty()) {
            Sending oldest = sending.peekFirst();
            if (!oldest.answered() && now - oldest.sentNanos < timeoutNanos) break;
            sending.pollFirst();
            if (oldest.answer()) {
                log.debug("{}: message from {} not stored within {} ms; its sender is told it was not sent",
                        host.name(), oldest.member.author().id(), settings.storeTimeout().toMillis());
                Meters.storeTimedOut();
                members.send(oldest.member, views.notSent(notStoredInTime(), oldest.clientId, 0));
            }
        }
        scheduleCheck();
    }

    private String notStoredInTime() {
        long seconds = Math.max(1, settings.storeTimeout().toSeconds());
        return "Your message was not sent: the server could not store it within " + seconds
                + (seconds == 1 ? " second" : " seconds") + ". Please try again.";
    }
}
