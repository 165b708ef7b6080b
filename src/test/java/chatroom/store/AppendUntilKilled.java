package chatroom.store;

import chatroom.room.NewMessage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link JdbcMessageStoreKillTest}: appends to a few rooms without end, many appends in
 * flight, and prints {@code stored ROOM SEQ} to stdout as each append completes — that line is what "a client
 * saw the message" means in the test. It never stops by itself; the test kills it with SIGKILL.
 */
final class AppendUntilKilled {

    static final String PREFIX = "stored ";
    static final int ROOMS = 5;

    public static void main(String[] args) {
        var store = JdbcMessageStore.openSqlite(Path.of(args[0]));
        PrintStream out = System.out;
        Semaphore inFlight = new Semaphore(256);
        for (long i = 0; ; i++) {
            inFlight.acquireUninterruptibly();
            var message = new NewMessage("room-" + (i % ROOMS), "u-1", "Ann", "message " + i, Instant.now());
            store.append(message).whenComplete((stored, failure) -> {
                if (stored != null) {
                    // println and flush on the writer thread, in completion order, before the next future completes
                    out.println(PREFIX + stored.room() + " " + stored.seq());
                    out.flush();
                } else {
                    failure.printStackTrace();
                }
                inFlight.release();
            });
        }
    }
}
