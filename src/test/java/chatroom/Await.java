package chatroom;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition by polling it until a deadline: the one way tests wait. */
public final class Await {

    private static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {}

    /** Polls until the supplier returns non-null, and returns that; fails naming what was awaited. */
    public static <T> T until(Supplier<T> value, String what) {
        return until(value, what, DEFAULT);
    }

    public static <T> T until(Supplier<T> value, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T result = value.get();
            if (result != null) {
                return result;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5); // a polling interval, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** As {@link #until(Supplier, String)}, with {@code details} computed at the timeout for the failure message. */
    public static <T> T until(Supplier<T> value, String what, Supplier<String> details) {
        try {
            return until(value, what, DEFAULT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + details.get(), e);
        }
    }

    public static void until(java.util.function.BooleanSupplier condition, String what) {
        until(() -> condition.getAsBoolean() ? Boolean.TRUE : null, what);
    }

    /**
     * Polls until the condition holds. Without this overload a boolean lambda given a timeout would pick
     * the {@code Supplier} one, where {@code false} is a non-null result, and return at once.
     */
    public static void until(java.util.function.BooleanSupplier condition, String what, Duration timeout) {
        until(() -> condition.getAsBoolean() ? Boolean.TRUE : null, what, timeout);
    }
}
