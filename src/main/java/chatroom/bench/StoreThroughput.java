package chatroom.bench;

import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewEvent;
import chatroom.room.NewMessage;
import chatroom.room.NewReaction;
import chatroom.store.JdbcMessageStore;
import chatroom.store.SqliteStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code store} scenario of the benchmark: how many messages per second the real store makes durable
 * with many appends in flight, and how long one append waits for its commit. It drives {@link
 * JdbcMessageStore} exactly as rooms do — appends from another thread, completion on the writer — so the
 * figure includes queueing, group commit and the fsync of each batch.
 *
 * <p>One caller thread keeps up to {@link #IN_FLIGHT} appends outstanding, spread round-robin over the
 * rooms; a permit comes back as each append completes. Call it from one thread; it blocks until every
 * message is stored and the store is closed. The database file is created if needed and left in place.
 */
public final class StoreThroughput {

    /**
     * Appends outstanding at once: many rooms each waiting for a commit, as on a busy server. Two full
     * batches: one being written while the next fills. More does not make the writer faster, it only
     * adds time waiting in the queue to every append's latency.
     */
    static final int IN_FLIGHT = 1024;

    private StoreThroughput() {}

    /**
     * @param rooms appends are spread round-robin over this many rooms
     * @param warmupMessages appended before the measured ones, not measured
     * @param messages how many to append
     * @param textChars characters of text per message
     * @param durability whether each commit is fsynced ({@code synchronous=FULL}) or only at checkpoints
     * @param clientIds whether each message carries a client id, as the page's do
     * @param durationNanos from the first append to the last completion
     * @param cpuMicrosPerMessage CPU time of the whole process (writer, caller, JIT, GC) over the run, per
     *     message: a figure that a machine busy with other work changes less than the rate
     * @param failures appends that completed exceptionally (expected 0)
     */
    public record Result(
            int rooms,
            int warmupMessages,
            int messages,
            int textChars,
            String durability,
            boolean clientIds,
            boolean changes,
            long durationNanos,
            double messagesPerSecond,
            double cpuMicrosPerMessage,
            long p50AppendMicros,
            long p99AppendMicros,
            long maxAppendMicros,
            int failures) {

        /** One line of JSON, for the benchmark's report. */
        public String toJson() {
            return String.format(
                    Locale.ROOT,
                    "{\"scenario\":\"store\",\"rooms\":%d,\"warmupMessages\":%d,\"messages\":%d,\"textChars\":%d,\"durability\":\"%s\","
                            + "\"clientIds\":%b,\"changes\":%b,\"seconds\":%.3f,\"messagesPerSecond\":%.0f,"
                            + "\"cpuMicrosPerMessage\":%.2f,\"p50AppendMicros\":%d,"
                            + "\"p99AppendMicros\":%d,\"maxAppendMicros\":%d,\"failures\":%d}",
                    rooms,
                    warmupMessages,
                    messages,
                    textChars,
                    durability,
                    clientIds,
                    changes,
                    durationNanos / 1e9,
                    messagesPerSecond,
                    cpuMicrosPerMessage,
                    p50AppendMicros,
                    p99AppendMicros,
                    maxAppendMicros,
                    failures);
        }
    }

    /** The benchmark's scenario: the store as the server opens it (fsync on every commit), not warmed up. */
    public static Result run(Path dbFile, int rooms, int messages, int textChars, boolean clientIds) {
        return run(
                dbFile,
                rooms,
                0,
                messages,
                textChars,
                clientIds,
                false,
                SqliteStore.Options.defaults(),
                JdbcMessageStore.Settings.defaults(),
                IN_FLIGHT);
    }

    /**
     * As above, with the store's settings, after {@code warmupMessages} appends that are not measured: the
     * JIT compiles the store's path while they run, so the figures are those of a store that has been
     * running a while, as the fan-out benchmark measures a server warmed for 20 s. They go to the same
     * rooms and file first.
     */
    static Result run(
            Path dbFile,
            int rooms,
            int warmupMessages,
            int messages,
            int textChars,
            boolean clientIds,
            boolean changes,
            SqliteStore.Options options,
            JdbcMessageStore.Settings settings,
            int inFlightMax) {
        if (rooms < 1 || messages < 1 || textChars < 0 || warmupMessages < 0) {
            throw new IllegalArgumentException(
                    "rooms " + rooms + ", messages " + messages + ", textChars " + textChars + ", warmup "
                            + warmupMessages + ": need rooms ≥ 1, messages ≥ 1, textChars ≥ 0, warmup ≥ 0");
        }
        Appends appends = new Appends(rooms, "x".repeat(textChars), Instant.now(), clientIds, changes, inFlightMax);
        long[] latencyNanos = new long[messages];
        long startNanos;
        long endNanos;
        long startCpuNanos;
        long endCpuNanos;
        int failures;
        try (JdbcMessageStore store = SqliteStore.open(dbFile, options, settings)) {
            appends.run(store, 0, warmupMessages, new long[warmupMessages]);
            startCpuNanos = processCpuNanos();
            startNanos = System.nanoTime();
            failures = appends.run(store, warmupMessages, messages, latencyNanos);
            endNanos = System.nanoTime();
            endCpuNanos = processCpuNanos();
        }
        Arrays.sort(latencyNanos);
        long durationNanos = endNanos - startNanos;
        return new Result(
                rooms,
                warmupMessages,
                messages,
                textChars,
                options.durability().name(),
                clientIds,
                changes,
                durationNanos,
                messages / (durationNanos / 1e9),
                (endCpuNanos - startCpuNanos) / 1e3 / messages,
                micros(percentile(latencyNanos, 0.50)),
                micros(percentile(latencyNanos, 0.99)),
                micros(latencyNanos[messages - 1]),
                failures);
    }

    /**
     * Appends as rooms make them: round-robin over the rooms, at most {@code inFlightMax} outstanding. With
     * {@code changes}, each room's appends come in blocks of 20 as a busy room's might: 16 messages, then 2
     * reactions (to the block's first two messages, by people of their own), an edit of its third and the
     * deletion of its fourth — 80 % messages, 10 % reactions, 5 % edits, 5 % deletions. The bench is the
     * rooms' only writer, so the k-th append to a room takes seq k, and every target is known ahead.
     */
    private record Appends(int rooms, String text, Instant sentAt, boolean clientIds, boolean changes, int inFlightMax) {

        static final int BLOCK = 20;

        /** The {@code index}-th append of the whole run (warm-up included). */
        NewEvent append(long index, String clientId) {
            String room = "room-" + (index % rooms);
            if (!changes) return new NewMessage(room, "bench", "Bench", text, sentAt, clientId);
            long k = index / rooms; // this room's k-th append (0-based), which takes seq k + 1
            long block = k / BLOCK * BLOCK;
            int offset = (int) (k % BLOCK);
            return switch (offset) {
                case 16, 17 -> new NewReaction(room, block + offset - 15, "reader-" + k, "Reader", "👍", true, sentAt, null);
                case 18 -> new NewEdit(room, block + 3, "bench", "edited " + text, sentAt, null);
                case 19 -> new NewDeletion(room, block + 4, "bench", false, sentAt, null);
                default -> new NewMessage(room, "bench", "Bench", text, sentAt, clientId);
            };
        }

        /**
         * Appends messages {@code first} to {@code first + count - 1} and waits until each has completed;
         * records each one's wait in {@code latencyNanos} and returns how many failed.
         */
        int run(JdbcMessageStore store, int first, int count, long[] latencyNanos) {
            AtomicInteger failures = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(count);
            Semaphore inFlight = new Semaphore(inFlightMax);
            String[] ids = clientIds ? pageClientIds(first, count) : new String[count];
            for (int i = 0; i < count; i++) {
                inFlight.acquireUninterruptibly();
                int index = i;
                long calledNanos = System.nanoTime();
                store.append(append((long) first + i, ids[i]))
                        .whenComplete((message, failure) -> {
                            latencyNanos[index] = System.nanoTime() - calledNanos;
                            if (failure != null) failures.incrementAndGet();
                            inFlight.release();
                            done.countDown();
                        });
            }
            // the latch orders every write of latencyNanos before the caller reads them
            awaitUninterruptibly(done);
            return failures.get();
        }
    }

    /**
     * For trying settings by hand: {@code java -cp … chatroom.bench.StoreThroughput FILE [ROOMS MESSAGES
     * TEXT_CHARS [FULL|NORMAL [MAX_BATCH [IN_FLIGHT [CLIENT_IDS]]]]]}. Prints the result's JSON line.
     */
    public static void main(String[] args) {
        Path file = Path.of(args.length > 0 ? args[0] : "store-throughput.db");
        int rooms = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int textChars = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        var options = SqliteStore.Options.defaults();
        if (args.length > 4 && args[4].equalsIgnoreCase("NORMAL")) {
            options = options.withDurability(SqliteStore.Durability.PROCESS_CRASH_SAFE);
        }
        var settings = JdbcMessageStore.Settings.defaults();
        if (args.length > 5) settings = settings.withMaxBatch(Integer.parseInt(args[5]));
        int inFlightMax = args.length > 6 ? Integer.parseInt(args[6]) : IN_FLIGHT;
        boolean clientIds = args.length > 7 && Boolean.parseBoolean(args[7]);
        System.out.println(run(file, rooms, 0, messages, textChars, clientIds, false, options, settings, inFlightMax).toJson());
    }

    /**
     * Ids as the page makes them (24 hex digits: the clock in ms, a count, 4 random bytes), so they grow
     * with time: made before the appends, so not measured. Seeded by where the run starts, so the
     * warm-up's ids and the measured ones differ.
     */
    private static String[] pageClientIds(int first, int count) {
        var random = new java.util.Random(1 + first);
        long startMillis = System.currentTimeMillis();
        String[] ids = new String[count];
        for (int i = 0; i < count; i++) {
            // a page sends a few messages a second at most; a thousand ids per millisecond stand for many pages
            long millis = startMillis + (first + i) / 1000;
            ids[i] = String.format(Locale.ROOT, "%012x%04x%08x", millis, (first + i) & 0xffff, random.nextInt());
        }
        return ids;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long percentile(long[] sorted, double fraction) {
        int index = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the appends are in flight; wait for them, then pass the interrupt on
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
