package chatroom.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a node reaches Redis, as one state for its feed and its presence board together, and the
 * log lines an operator reads about it: one WARN when Redis becomes unreachable (with the root cause
 * of the first failure), one INFO when it answers again (with how long it was away), and at most one
 * reminder per {@link #REMINDER_EVERY} in between. Every Lettuce connection of the node fails and
 * reconnects on its own schedule, so their own state changes would otherwise fill the log during one
 * outage; they only report here.
 *
 * <p>State: up or down, since when, and the last cause seen. The feed's scheduler {@link #sample}s the
 * node's health once per probe; components report from any thread why a connection could not be made
 * ({@link #cause}: refused, unknown host, timed out — what the operator must fix) and how a command
 * failed ({@link #symptom}: "not connected", which only says that something else went wrong). The WARN
 * waits for a cause up to {@link #CAUSE_GRACE} (Lettuce's next reconnect attempt brings one), then
 * goes out with whatever is known. Back
 * needs {@link #HEALTHY_SAMPLES_FOR_BACK} healthy samples in a row, so a connection that returns a
 * little after the others does not make one outage look like two. Thread-safe (synchronized).
 */
final class RedisOutage {

    private static final Logger log = LoggerFactory.getLogger(RedisOutage.class);

    static final Duration REMINDER_EVERY = Duration.ofMinutes(1);
    static final int HEALTHY_SAMPLES_FOR_BACK = 2;
    static final Duration CAUSE_GRACE = Duration.ofSeconds(5);

    private final String where; // "redis HOST:PORT"
    private boolean down; // guarded by this, as is the rest
    private boolean told; // the WARN for this outage went out
    private long downSinceNanos;
    private Instant downSince;
    private long remindedAtNanos;
    private int healthySamples;
    private String cause = "";
    private String symptom = "";

    RedisOutage(String where) {
        this.where = where;
    }

    /** Why a connection to Redis could not be made, kept for the WARN and the readiness check; logs nothing. */
    synchronized void cause(Throwable e) {
        cause = rootMessage(e);
    }

    /** How a command failed; told only when no {@link #cause} comes within {@link #CAUSE_GRACE}. */
    synchronized void symptom(Throwable e) {
        symptom = rootMessage(e);
    }

    /** Redis could not be reached at start: down from now, told once. */
    synchronized void unreachableAtStart(Throwable e) {
        cause(e);
        if (!down) {
            goDown(System.nanoTime());
            told = true;
            log.warn("{}: unreachable at start ({}); serving this node's own rooms, joining the cluster when it answers",
                    where, cause);
        }
    }

    /** The node's health now (feed connected, presence answering); logs on a change of state only. */
    synchronized void sample(boolean healthy, long nowNanos) {
        if (healthy) {
            healthySamples++;
            if (down && healthySamples >= HEALTHY_SAMPLES_FOR_BACK) {
                down = false;
                log.info("{}: answers again after {} s", where, seconds(nowNanos - downSinceNanos));
                cause = "";
                symptom = "";
            }
            return;
        }
        healthySamples = 0;
        if (!down) {
            goDown(nowNanos);
        }
        if (!told && (!cause.isEmpty() || nowNanos - downSinceNanos >= CAUSE_GRACE.toNanos())) {
            told = true;
            log.warn("{}: unreachable ({}); this node serves its own rooms, other nodes get its messages and "
                    + "presence when Redis is back", where, known());
        } else if (told && nowNanos - remindedAtNanos >= REMINDER_EVERY.toNanos()) {
            remindedAtNanos = nowNanos;
            log.warn("{}: still unreachable after {} s ({})", where, seconds(nowNanos - downSinceNanos), known());
        }
    }

    private String known() {
        return !cause.isEmpty() ? cause : !symptom.isEmpty() ? symptom : "no answer";
    }

    synchronized boolean down() {
        return down;
    }

    /** Why the node is not connected, for the readiness check; empty while up. */
    synchronized String reason() {
        return down ? where + " unreachable since " + downSince + " (" + known() + ")" : "";
    }

    private void goDown(long nowNanos) {
        down = true;
        told = false;
        downSinceNanos = nowNanos;
        remindedAtNanos = nowNanos;
        downSince = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", TimeUnit.NANOSECONDS.toMillis(nanos) / 1000.0);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
