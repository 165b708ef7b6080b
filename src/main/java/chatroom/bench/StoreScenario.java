package chatroom.bench;

import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * The store scenario: message-store throughput without the network, measured by
 * {@code chatroom.store.StoreThroughput.run(Path dbFile, int rooms, int messages, int textChars)},
 * which the storage code provides. It is called reflectively so this package compiles on its own
 * before the store lands (and bench keeps no compile-time dependency on store); when the class is
 * absent the run reports that and no figures.
 *
 * <p>Runs on the calling thread.
 */
final class StoreScenario {

    static final String USAGE = """
            store: message-store throughput (chatroom.store.StoreThroughput), no network
              --db FILE          database file (bench-store.db, deleted first)
              --rooms N          rooms (10)
              --messages N       messages in total (100000)
              --text-chars N     characters per message (100)
            """;

    static final String STORE_CLASS = "chatroom.store.StoreThroughput";

    private final Path dbFile;
    private final int rooms;
    private final int messages;
    private final int textChars;

    StoreScenario(BenchOptions options) {
        this.dbFile = Path.of(options.string("db", "bench-store.db"));
        this.rooms = options.integer("rooms", 10);
        this.messages = options.integer("messages", 100_000);
        this.textChars = options.integer("text-chars", 100);
        options.rejectUnknown();
    }

    Report run() throws Exception {
        Class<?> throughput;
        try {
            throughput = Class.forName(STORE_CLASS);
        } catch (ClassNotFoundException e) {
            return new Report("store")
                    .put("available", false)
                    .put("error", "store scenario: not available in this build (" + STORE_CLASS + " is missing)")
                    .say("store scenario: not available in this build");
        }
        Method run = throughput.getMethod("run", Path.class, int.class, int.class, int.class);
        Object result = run.invoke(null, dbFile, rooms, messages, textChars);
        String json = (String) result.getClass().getMethod("toJson").invoke(result);
        return new Report("store")
                .put("available", true)
                .put("result", new Report.RawJson(json))
                .say("store: " + json);
    }
}
