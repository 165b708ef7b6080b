package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static chatroom.store.MessageStoreContract.T0;
import static chatroom.store.MessageStoreContract.get;
import static chatroom.store.MessageStoreContract.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.Await;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store beyond the contract: concurrency, group commit, restarts, failures, closing. */
class JdbcMessageStoreTest {

    @TempDir
    Path dir;

    private static final JdbcMessageStore.Settings SETTINGS = JdbcMessageStore.Settings.defaults();

    private final List<JdbcMessageStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcMessageStore::close);
    }

    @Test
    void concurrent_appenders_get_gap_free_numbers_per_room_completed_in_call_order() throws Exception {
        Path file = dir.resolve("chat.db");
        var store = open(file);
        int threads = 8;
        int perThread = 500;
        List<String> rooms = List.of("a", "b", "c", "d");
        Map<String, ConcurrentLinkedQueue<Long>> completedSeqs = new ConcurrentHashMap<>();
        rooms.forEach(room -> completedSeqs.put(room, new ConcurrentLinkedQueue<>()));
        // futures.get(t) holds thread t's appends in the order it called them
        List<List<CompletableFuture<Message>>> futures = new ArrayList<>();
        Queue<CompletableFuture<Void>> recorded = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<Message>> mine = new ArrayList<>();
            futures.add(mine);
            int thread = t;
            appenders.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perThread; i++) {
                    String room = rooms.get((thread + i) % rooms.size());
                    var future = messages(store).append(new NewMessage(room, "u" + thread, "T" + thread, thread + ":" + i, T0));
                    // runs on the writer thread as each append completes: the completion order
                    recorded.add(future.thenAccept(m -> completedSeqs.get(m.room()).add(m.seq())));
                    mine.add(future);
                }
            }));
        }
        // Hold the write lock from outside until every callback is attached, so that all of them run on the
        // writer thread as it completes the futures, and the queues record the true completion order.
        try (Connection intruder = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = intruder.createStatement()) {
            sql.execute("BEGIN IMMEDIATE");
            start.countDown();
            for (Thread appender : appenders) appender.join();
            sql.execute("ROLLBACK");
        }
        // wait for the recording callbacks, not the appends: an append's future is done a moment before
        // every callback attached to it has run
        CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        int perRoom = threads * perThread / rooms.size();
        for (String room : rooms) {
            List<Long> expected = LongStream.rangeClosed(1, perRoom).boxed().toList();
            assertThat(List.copyOf(completedSeqs.get(room))).as("room %s completion order", room).isEqualTo(expected);
            assertThat(get(messages(store).after(room, 0, 10_000))).extracting(Message::seq).isEqualTo(expected);
        }
        for (List<CompletableFuture<Message>> calls : futures) {
            for (String room : rooms) {
                List<Long> seqsInCallOrder = calls.stream()
                        .map(CompletableFuture::join)
                        .filter(m -> m.room().equals(room))
                        .map(Message::seq)
                        .toList();
                assertThat(seqsInCallOrder).as("one caller's appends to room %s", room).isSorted();
            }
        }
    }

    @Test
    void appends_waiting_together_are_written_in_one_batch_and_still_numbered_in_call_order() throws Exception {
        var store = open(dir.resolve("chat.db"), SqliteStore.Options.defaults(), SETTINGS.withMaxBatch(64));
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        for (int i = 0; i < 1000; i++) futures.add(messages(store).append(message("lobby", "m" + i)));

        List<Integer> completionOrder = new ArrayList<>(); // appended to by the writer thread only
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            int index = i;
            recorded.add(futures.get(i).thenAccept(m -> {
                synchronized (completionOrder) {
                    completionOrder.add(index);
                }
            }));
        }
        CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).join().seq()).isEqualTo(i + 1L);
            assertThat(futures.get(i).join().text()).isEqualTo("m" + i);
        }
        synchronized (completionOrder) {
            assertThat(completionOrder).isSorted().hasSize(1000);
        }
    }

    @Test
    void history_survives_close_and_reopen_and_numbering_continues() throws Exception {
        Path file = dir.resolve("chat.db");
        try (var first = JdbcMessageStore.openSqlite(file)) {
            for (int i = 1; i <= 3; i++) get(messages(first).append(message("lobby", "before restart " + i)));
            get(messages(first).append(message("side", "side 1")));
        }

        var second = open(file);
        Message next = get(messages(second).append(message("lobby", "after restart")));

        assertThat(next.seq()).isEqualTo(4);
        assertThat(texts(get(second.before("lobby", Long.MAX_VALUE, 10))))
                .containsExactly("before restart 1", "before restart 2", "before restart 3", "after restart");
        assertThat(get(second.recentRooms(10))).containsExactly("lobby", "side");
    }

    @Test
    void a_failed_transaction_fails_its_appends_and_the_writer_goes_on_without_a_gap() throws Exception {
        Path file = dir.resolve("chat.db");
        var store = open(file, SqliteStore.Options.defaults().withBusyTimeout(Duration.ofMillis(200)), SETTINGS);
        get(messages(store).append(message("lobby", "first")));

        CompletableFuture<Message> blocked;
        // another process holds the write lock longer than the store's busy timeout
        try (Connection intruder = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = intruder.createStatement()) {
            sql.execute("BEGIN IMMEDIATE");
            blocked = messages(store).append(message("lobby", "blocked"));
            assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("room lobby: message not stored")
                    .hasMessageContaining("batch of 1 messages failed");
            sql.execute("ROLLBACK");
        }

        Message after = get(messages(store).append(message("lobby", "after")));

        assertThat(after.seq()).isEqualTo(2);
        assertThat(texts(get(messages(store).after("lobby", 0, 10)))).containsExactly("first", "after");
    }

    @Test
    void a_message_over_the_text_limit_is_refused_alone_and_its_neighbours_are_stored() throws Exception {
        var store = open(dir.resolve("chat.db"));
        String tooLong = "x".repeat(JdbcMessageStore.MAX_TEXT_CHARS + 1);

        var before = messages(store).append(message("lobby", "before"));
        var hostile = messages(store).append(message("lobby", tooLong));
        var after = messages(store).append(message("lobby", "after"));

        assertThat(get(before).seq()).isEqualTo(1);
        assertThat(get(after).seq()).isEqualTo(2);
        assertThatThrownBy(() -> get(hostile))
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("room lobby: message is 16001 characters; the store's limit is 16000");
    }

    @Test
    void a_full_write_queue_refuses_at_once_and_what_it_accepted_is_numbered_without_gaps() throws Exception {
        Path file = dir.resolve("chat.db");
        int maxQueued = 3;
        var settings = SETTINGS.withMaxBatch(1).withMaxQueued(maxQueued);
        var store = open(file, SqliteStore.Options.defaults().withBusyTimeout(Duration.ofSeconds(10)), settings);
        List<CompletableFuture<Message>> futures = new ArrayList<>();

        // the writer is stuck behind another process's lock holding at most one append (batches of 1)
        try (Connection intruder = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement sql = intruder.createStatement()) {
            sql.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < maxQueued + 2; i++) futures.add(messages(store).append(message("lobby", "m" + i)));

            // the writer holds at most one, the queue at most three: of five, at least one is refused at once
            List<CompletableFuture<Message>> refused =
                    futures.stream().filter(CompletableFuture::isCompletedExceptionally).toList();
            assertThat(refused).isNotEmpty();
            for (var future : refused) {
                assertThatThrownBy(() -> future.getNow(null))
                        .cause()
                        .isInstanceOf(StoreException.class)
                        .hasMessage("room lobby: message not stored; 3 messages are waiting to be written, the limit is 3");
            }
            sql.execute("ROLLBACK");
        }

        List<Long> seqs = new ArrayList<>();
        for (var future : futures) {
            if (!future.isCompletedExceptionally()) seqs.add(get(future).seq());
        }
        assertThat(seqs)
                .hasSizeGreaterThanOrEqualTo(maxQueued)
                .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
    }

    @Test
    void close_writes_every_queued_append_before_returning() throws Exception {
        Path file = dir.resolve("chat.db");
        var store = JdbcMessageStore.openSqlite(file);
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        for (int i = 0; i < 3000; i++) futures.add(messages(store).append(message("room" + (i % 7), "m" + i)));

        store.close();

        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        var reopened = open(file);
        long stored = 0;
        for (int r = 0; r < 7; r++) stored += get(messages(reopened).after("room" + r, 0, 10_000)).size();
        assertThat(stored).isEqualTo(3000);
    }

    @Test
    void after_close_append_and_reads_fail_fast_with_store_is_closed() {
        var store = JdbcMessageStore.openSqlite(dir.resolve("chat.db"));
        store.close();
        store.close(); // twice is harmless

        assertThatThrownBy(() -> messages(store).append(message("lobby", "late")).getNow(null))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("store is closed");
        assertThatThrownBy(() -> store.before("lobby", Long.MAX_VALUE, 10).getNow(null))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("store is closed");
    }

    @Test
    void a_continuation_may_close_the_store_from_the_writer_thread() throws Exception {
        Path file = dir.resolve("chat.db");
        var store = JdbcMessageStore.openSqlite(file);
        CompletableFuture<Void> closedFromWriter =
                messages(store).append(message("lobby", "last")).thenAccept(m -> store.close());

        get(closedFromWriter);

        assertThat(messages(store).append(message("lobby", "late"))).isCompletedExceptionally();
        // the writer releases the file (and its lock) once it has finished the batch the continuation ran in
        var reopened = Await.until(() -> openOrNull(file), "the file to be released by the closed store");
        assertThat(get(messages(reopened).after("lobby", 0, 10)))
                .extracting(Message::text)
                .containsExactly("last");
    }

    // ---- helpers ----

    private JdbcMessageStore open(Path file) {
        return open(file, SqliteStore.Options.defaults(), SETTINGS);
    }

    private JdbcMessageStore open(Path file, SqliteStore.Options options, JdbcMessageStore.Settings settings) {
        var store = SqliteStore.open(file, options, settings);
        opened.add(store);
        return store;
    }

    private JdbcMessageStore openOrNull(Path file) {
        try {
            return open(file);
        } catch (StoreException e) {
            return null;
        }
    }

    private static NewMessage message(String room, String text) {
        return new NewMessage(room, "u-1", "Ann", text, T0);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
