package chatroom.cluster;

/**
 * The liveness probe's bookkeeping. A node publishes numbered probes to a channel only it subscribes to;
 * a probe that Redis accepted (or that timed out on the way) but that has not come back within the
 * timeout means the subscription is wedged: the socket looks open while nothing arrives. Probes sent
 * before the probe channel's subscription was (re)confirmed are not expected back. All times are
 * {@link System#nanoTime()} values; methods are synchronized because Lettuce's threads and the feed's
 * loop both report here.
 */
final class Probe {

    private static final long NONE = Long.MIN_VALUE;

    private long lastSeen = -1; // highest probe number seen, or written off
    private long pendingSince = NONE; // when the oldest probe that should have come back was sent
    private long pendingNumber = -1;
    private long lastAliveNanos;
    private long sent; // probes numbered so far

    Probe(long nowNanos) {
        this.lastAliveNanos = nowNanos;
    }

    /** The number of the next probe to send. */
    synchronized long next() {
        return ++sent;
    }

    /** Probe {@code number}, sent at {@code sentNanos}, left this node: Redis accepted it, or it timed out. */
    synchronized void left(long number, long sentNanos) {
        if (number > lastSeen && pendingSince == NONE) {
            pendingSince = sentNanos;
            pendingNumber = number;
        }
    }

    /** Probe {@code number} came back through the subscription. */
    synchronized void seen(long number, long nowNanos) {
        lastSeen = Math.max(lastSeen, number);
        lastAliveNanos = nowNanos;
        if (pendingNumber <= number) {
            pendingSince = NONE;
        }
    }

    /**
     * The probe channel's subscription was confirmed on a fresh connection: proof of life, and the
     * probes numbered so far went out before it existed.
     */
    synchronized void subscribed(long nowNanos) {
        lastSeen = Math.max(lastSeen, sent);
        lastAliveNanos = nowNanos;
        pendingSince = NONE;
    }

    synchronized boolean wedged(long nowNanos, long timeoutNanos) {
        return pendingSince != NONE && nowNanos - pendingSince > timeoutNanos;
    }

    synchronized boolean aliveWithin(long nowNanos, long timeoutNanos) {
        return nowNanos - lastAliveNanos <= timeoutNanos;
    }

    synchronized long silentNanos(long nowNanos) {
        return nowNanos - lastAliveNanos;
    }
}
