package chatroom.bench;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Opens many connections with a bounded number of handshakes in flight, so a burst of thousands of
 * connects does not overflow the server's accept backlog and turn into retransmit stalls. Counts
 * failures and keeps the first cause for the report.
 *
 * <p>{@link #connect} is called from one thread (it blocks while the limit is reached); the
 * completions run on the event loops.
 */
final class Connector {

    private final WsClientPool pool;
    private final Semaphore inFlight;
    private final Phaser pending = new Phaser(1);
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    Connector(WsClientPool pool, int maxInFlight) {
        this.pool = pool;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Starts one connection; onOpen runs on its event loop once the handshake is done. */
    void connect(URI uri, InetAddress localAddress, WsClientPool.Listener listener, Consumer<Channel> onOpen)
            throws InterruptedException {
        inFlight.acquire();
        pending.register();
        pool.connect(uri, localAddress, listener).whenComplete((channel, failure) -> {
            try {
                if (failure == null) {
                    onOpen.accept(channel);
                    opened.incrementAndGet();
                } else {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, failure);
                }
            } finally {
                inFlight.release();
                pending.arriveAndDeregister();
            }
        });
    }

    /** Waits for every started connection to open or fail. */
    void awaitAll() {
        pending.arriveAndAwaitAdvance();
    }

    /** As {@link #awaitAll}, then fails if any connection failed (for scenarios that need every member). */
    void awaitAllOpen() {
        awaitAll();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + (failures.get() + opened.get())
                    + " connections failed; first: " + firstFailure.get(), firstFailure.get());
        }
    }

    int opened() {
        return opened.get();
    }

    int failures() {
        return failures.get();
    }

    String firstFailure() {
        Throwable failure = firstFailure.get();
        return failure == null ? null : failure.toString();
    }
}
