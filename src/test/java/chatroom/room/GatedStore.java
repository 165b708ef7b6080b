package chatroom.room;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory store whose reads wait at a gate until the test opens it, to reproduce the moment when
 * a member's history is still being read while new messages are stored and broadcast.
 */
final class GatedStore extends ForwardingStore {

    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
        return gated(super.before(room, beforeSeq, limit));
    }

    @Override
    public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
        return gated(super.after(room, afterSeq, limit));
    }

    /** Reads the store's state now, as a real store would, but answers only once the gate opens. */
    private <T> CompletableFuture<T> gated(CompletableFuture<T> read) {
        return read.thenApplyAsync(value -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        });
    }
}
