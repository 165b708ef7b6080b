package chatroom.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log what the server refused, one line per kind of refusal per period, with the count:
 * {@code refused 1,234 upgrades from other sites' pages in the last 10 s}. A flood of bad upgrades or
 * frames then costs the log a line every period instead of a line per attempt, which would bury
 * everything else and spend the disk and the CPU the flood is already after. The places that refuse
 * only count ({@link Meters}); this reads the counters. The single connection's story is at DEBUG
 * where it happens.
 *
 * <p>Runs on its own daemon thread; a period with no refusals logs nothing.
 */
public final class RefusalLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

    /** One kind of refusal: what the line says, and the counter behind it. */
    private static final class Kind {
        final String what;
        final DoubleSupplier count;
        double logged;

        Kind(String what, DoubleSupplier count) {
            this.what = what;
            this.count = count;
            this.logged = count.getAsDouble();
        }
    }

    private final List<Kind> kinds = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final long periodSeconds;

    private RefusalLog(Duration period) {
        this.periodSeconds = Math.max(1, period.toSeconds());
        for (Meters.UpgradeRefusal reason : Meters.UpgradeRefusal.values()) {
            kinds.add(new Kind("refused %,d upgrades " + reason.why, () -> Meters.upgradesRefused(reason)));
        }
        for (Meters.FrameRefusal reason : Meters.FrameRefusal.values()) {
            kinds.add(new Kind("refused %,d frames " + reason.why, () -> Meters.framesRefused(reason)));
        }
        kinds.add(new Kind("refused %,d requests carrying the single sign-on header from outside --trusted-proxies",
                Meters::authHeadersRefused));
        kinds.add(new Kind("closed %,d sockets with 1013 whose send queue was full",
                () -> Meters.slowConsumersClosed(Meters.SlowConsumer.SOCKET)));
        kinds.add(new Kind("closed %,d sockets with 1013 whose event loop fell behind a room",
                () -> Meters.slowConsumersClosed(Meters.SlowConsumer.EVENT_LOOP)));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "refusal-log");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts logging every {@code period} (whole seconds, at least one) what was refused since the last line. */
    public static RefusalLog every(Duration period) {
        RefusalLog refusals = new RefusalLog(period);
        String when = "in the last " + refusals.periodSeconds + " s";
        refusals.timer.scheduleAtFixedRate(() -> refusals.logChanges(when), refusals.periodSeconds,
                refusals.periodSeconds, TimeUnit.SECONDS);
        return refusals;
    }

    private synchronized void logChanges(String when) {
        try {
            for (Kind kind : kinds) {
                double now = kind.count.getAsDouble();
                long since = (long) (now - kind.logged);
                kind.logged = now;
                if (since > 0) {
                    log.info("{} {}", String.format(kind.what, since), when);
                }
            }
        } catch (RuntimeException e) {
            log.warn("refusal log failed; trying again in {} s", periodSeconds, e);
        }
    }

    /** Logs what was refused since the last line, and stops. */
    @Override
    public void close() {
        timer.shutdownNow();
        logChanges("before stopping");
    }
}
