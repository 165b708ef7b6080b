package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An in-memory store whose history reads, once {@link #late} is set, run only when the test opens the
 * gate, and read the store as it stands then: a reader thread starved, or a catch-up whose turn comes
 * late, on a loaded node. {@link GatedStore} is the other case, a read that runs at once and answers late.
 */
final class LateReadStore extends ForwardingStore {

    final CountDownLatch gate = new CountDownLatch(1);
    volatile boolean late = true;
    /** History reads asked for, late or not. */
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        return late(() -> memory.before(room, beforeSeq, limit));
    }

    @Override
    public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        return late(() -> memory.after(room, afterSeq, limit));
    }

    private <T> CompletableFuture<T> late(Supplier<CompletableFuture<T>> read) {
        reads.incrementAndGet();
        if (!late) {
            return read.get();
        }
        return CompletableFuture.runAsync(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).thenCompose(v -> read.get());
    }
}
