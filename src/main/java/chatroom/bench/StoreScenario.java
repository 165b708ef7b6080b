package chatroom.bench;

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
              --messages N       messages in total (100000)
              --text-chars N     characters per message (100)
              --client-ids B     give each message a random client id, as the page does (false)
            """;

    private final Path dbFile;
    private final int rooms;
    private final int messages;
    private final int textChars;
    private final boolean clientIds;

    StoreScenario(BenchOptions options) {
        this.dbFile = Path.of(options.string("db", "bench-store.db"));
        this.rooms = options.integer("rooms", 10);
        this.messages = options.integer("messages", 100_000);
        this.textChars = options.integer("text-chars", 100);
        this.clientIds = options.bool("client-ids", false);
        options.rejectUnknown();
    }

    Report run() {
        StoreThroughput.Result result = StoreThroughput.run(dbFile, rooms, messages, textChars, clientIds);
        String json = result.toJson();
        return new Report("store").put("result", new Report.RawJson(json)).say("store: " + json);
    }
}
