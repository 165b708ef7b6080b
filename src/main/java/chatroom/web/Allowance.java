package chatroom.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One {@link Rate}'s state shared by several sockets, on several event loops: the allowance of one
 * user or one client address. Taking is a compare-and-set on one long, so sockets of the same sender
 * on different event loops never wait for each other and nothing is shared by all senders.
 */
final class Allowance {

    private static final VarHandle WHOLE_AT;

    static {
        try {
            WHOLE_AT = MethodHandles.lookup().findVarHandle(Allowance.class, "wholeAtNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long wholeAtNanos;

    Allowance(long nowNanos) {
        this.wholeAtNanos = nowNanos;
    }

    /** Spends one event of {@code rate} at {@code nowNanos}; false, and nothing spent, when it is used up. */
    boolean take(Rate rate, long nowNanos) {
        if (rate.off()) {
            return true;
        }
        while (true) {
            long was = wholeAtNanos;
            long next = rate.take(was, nowNanos);
            if (next == Rate.REFUSED) {
                return false;
            }
            if (WHOLE_AT.compareAndSet(this, was, next)) {
                return true;
            }
        }
    }

    /** True when nothing is spent: forgetting this allowance would give its sender nothing it does not have. */
    boolean whole(long nowNanos) {
        return wholeAtNanos - nowNanos <= 0;
    }

    /** How long until {@code rate} allows one more event. */
    long waitNanos(Rate rate, long nowNanos) {
        return rate.waitNanos(wholeAtNanos, nowNanos);
    }
}
