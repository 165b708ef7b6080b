package chatroom.bench;

import chatroom.store.JdbcMessageStore;
import chatroom.store.SqliteStore;
import java.nio.file.Path;

/**
 * The store scenario: message-store throughput without the network, measured by
 * {@link StoreThroughput#run(Path, int, int, int, boolean)},
 * which drives the real store (SQLite, durable before each append completes) with many appends in
 * flight.
 *
 * <p>Runs on the calling thread.
 */
final class StoreScenario {

    static final String USAGE = """
            store: message-store throughput (chatroom.bench.StoreThroughput), no network
              --db FILE          database file (bench-store.db, deleted first)
              --rooms N          rooms (10)
              --messages N       messages measured (100000)
              --warmup N         messages appended first and not measured, while the JIT compiles the
                                 store's path (200000; 0 measures a cold start)
              --text-chars N     characters per message (100)
              --client-ids B     give each message a random client id, as the page does (false)
              --changes B        a busy room's mix of events: 80 % messages, 10 % reactions, 5 % edits,
                                 5 % deletions (false: messages only); "messages" then counts events
              --max-batch N      appends per commit at most (the server's default, 512); twice as many
                                 are kept in flight (at least 1024) so that such batches can form
            """;

    private final Path dbFile;
    private final int rooms;
    private final int messages;
    private final int warmupMessages;
    private final int textChars;
    private final boolean clientIds;
    private final boolean changes;
    private final JdbcMessageStore.Settings settings;

    StoreScenario(BenchOptions options) {
        this.dbFile = Path.of(options.string("db", "bench-store.db"));
        this.rooms = options.integer("rooms", 10);
        this.messages = options.integer("messages", 100_000);
        this.warmupMessages = options.integer("warmup", 200_000);
        this.textChars = options.integer("text-chars", 100);
        this.clientIds = options.bool("client-ids", false);
        this.changes = options.bool("changes", false);
        JdbcMessageStore.Settings defaults = JdbcMessageStore.Settings.defaults();
        this.settings = defaults.withMaxBatch(options.integer("max-batch", defaults.maxBatch()));
        options.rejectUnknown();
    }

    Report run() {
        int inFlight = Math.max(StoreThroughput.IN_FLIGHT, 2 * settings.maxBatch());
        StoreThroughput.Result result = StoreThroughput.run(
                dbFile, rooms, warmupMessages, messages, textChars, clientIds, changes, SqliteStore.Options.defaults(), settings,
                inFlight);
        String json = result.toJson();
        return new Report("store")
                .put("maxBatch", settings.maxBatch())
                .put("inFlight", inFlight)
                .put("result", new Report.RawJson(json))
                .say("store: maxBatch " + settings.maxBatch() + ", in flight " + inFlight + ": " + json);
    }
}
