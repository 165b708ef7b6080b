package chatroom.web;

/**
 * A sustained rate with room for a burst, kept as one number per sender: the time at which the
 * sender's allowance is whole again (the "theoretical arrival time" of the generic cell rate
 * algorithm). Each event moves that time one interval later; an event that would push it more than
 * the burst ahead of now is refused. That is a token bucket of {@code burst} tokens refilled at the
 * rate, in one {@code long}: small enough for a field of every socket, and for one atomic per user or
 * address ({@link Allowance}). Immutable; the state is the caller's.
 */
final class Rate {

    /** What {@link #take} answers for an event over the allowance. */
    static final long REFUSED = Long.MIN_VALUE;
    static final Rate OFF = new Rate(0, 0);

    private final long intervalNanos;
    private final long toleranceNanos;

    private Rate(long intervalNanos, long toleranceNanos) {
        this.intervalNanos = intervalNanos;
        this.toleranceNanos = toleranceNanos;
    }

    /** {@code perSecond} events a second, sustained, and {@code burst} at once from a whole allowance; 0 per second is no limit. */
    static Rate perSecond(double perSecond, int burst) {
        if (perSecond <= 0) {
            return OFF;
        }
        long interval = Math.max(1, Math.round(1e9 / perSecond));
        return new Rate(interval, (Math.max(1, burst) - 1) * interval);
    }

    /** {@code perMinute} events a minute, all of them at once from a whole allowance; 0 is no limit. */
    static Rate perMinute(int perMinute) {
        return perMinute <= 0 ? OFF : perSecond(perMinute / 60.0, perMinute);
    }

    boolean off() {
        return intervalNanos == 0;
    }

    /** The state after one more event at {@code nowNanos}, or {@link #REFUSED} if the allowance is spent. */
    long take(long wholeAtNanos, long nowNanos) {
        long from = wholeAtNanos - nowNanos > 0 ? wholeAtNanos : nowNanos;
        if (from - nowNanos > toleranceNanos) {
            return REFUSED;
        }
        return from + intervalNanos;
    }

    /** How long until one more event would be allowed, given the state; 0 if it would be now. */
    long waitNanos(long wholeAtNanos, long nowNanos) {
        return Math.max(0, wholeAtNanos - nowNanos - toleranceNanos);
    }
}
