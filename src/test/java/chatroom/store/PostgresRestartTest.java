package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static chatroom.store.MessageStoreContract.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.Await;
import chatroom.PrivatePostgres;
import chatroom.room.Message;
import chatroom.room.NewMessage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PostgreSQL store through a database crash and restart, on a private server ({@link PrivatePostgres}):
 * appends during the outage fail and say so, appends after it succeed in the same process, and no
 * acknowledged append is lost or renumbered.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresRestartTest {

    private static final JdbcMessageStore.Settings SETTINGS =
            JdbcMessageStore.Settings.defaults().withConnectionTimeout(Duration.ofSeconds(1));
    private static final int ROOMS = 3;

    private static PrivatePostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PrivatePostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) postgres.close();
    }

    @Test
    void appends_fail_clearly_while_the_server_is_down_and_succeed_again_once_it_is_back() throws Exception {
        try (var store = PostgresStore.open(postgres.createDatabase("outage"), SETTINGS)) {
            assertThat(MessageStoreContract.get(messages(store).append(message("lobby", "before"))).seq()).isEqualTo(1);

            postgres.stopImmediately();
            try {
                assertThatThrownBy(() -> MessageStoreContract.get(messages(store).append(message("lobby", "during"))))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(StoreException.class)
                        .hasMessageStartingWith("room lobby: message not stored; the transaction for its batch");
            } finally {
                postgres.startServer();
            }

            Message after = Await.until(() -> messages(store).append(message("lobby", "after")).exceptionally(e -> null).join(),
                    "an append to succeed after the restart", Duration.ofSeconds(30));
            assertThat(after.seq()).isEqualTo(2);
            assertThat(MessageStoreContract.get(messages(store).after("lobby", 0, 10)))
                    .extracting(Message::text)
                    .containsExactly("before", "after");
        }
    }

    @Test
    void the_first_append_after_a_restart_while_the_store_was_idle_succeeds() throws Exception {
        String url = postgres.createDatabase("idle");
        try (var store = PostgresStore.open(url, SETTINGS)) {
            assertThat(MessageStoreContract.get(messages(store).append(message("lobby", "before"))).seq()).isEqualTo(1);
            long idleSince = System.nanoTime();

            postgres.restartImmediately(); // the connection the writer keeps dies with the server
            Await.until(() -> System.nanoTime() - idleSince > GroupCommitWriter.IDLE_BEFORE_CHECK.toNanos() ? true : null,
                    "the writer's connection to count as idle", Duration.ofSeconds(5));

            assertThat(MessageStoreContract.get(messages(store).append(message("lobby", "after"))).seq()).isEqualTo(2);
        }
    }

    @Test
    void a_crash_under_load_loses_no_acknowledged_append_and_leaves_no_gap() throws Exception {
        String url = postgres.createDatabase("underload");
        Map<String, Map<Long, String>> acknowledged = new ConcurrentHashMap<>(); // room → seq → text
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger acks = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Semaphore inFlight = new Semaphore(64);
        try (var store = PostgresStore.open(url, SETTINGS)) {
            Thread load = Thread.ofPlatform().start(() -> {
                for (long i = 0; running.get(); i++) {
                    inFlight.acquireUninterruptibly();
                    String room = "room-" + (i % ROOMS);
                    messages(store).append(message(room, "m" + i)).whenComplete((stored, failure) -> {
                        if (stored != null) {
                            acknowledged.computeIfAbsent(room, r -> new ConcurrentHashMap<>())
                                    .put(stored.seq(), stored.text());
                            acks.incrementAndGet();
                        } else {
                            failures.add(failure);
                        }
                        inFlight.release();
                    });
                }
            });
            Await.until(() -> acks.get() >= 2_000, "2000 appends before the crash");

            postgres.restartImmediately();
            int acksAfterRestart = acks.get();
            Await.until(() -> acks.get() >= acksAfterRestart + 2_000, "2000 appends after the restart");
            running.set(false);
            load.join();
            inFlight.acquireUninterruptibly(64); // every append has completed
        }

        assertThat(failures).as("appends that failed during the outage").isNotEmpty();
        for (Throwable failure : failures) {
            assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("message not stored");
        }
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl("underload"));
                PreparedStatement select = db.prepareStatement("SELECT seq, text FROM messages WHERE room = ? ORDER BY seq")) {
            for (int r = 0; r < ROOMS; r++) {
                String room = "room-" + r;
                List<Long> seqs = new ArrayList<>();
                Map<Long, String> texts = new ConcurrentHashMap<>();
                select.setString(1, room);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        seqs.add(rows.getLong(1));
                        texts.put(rows.getLong(1), rows.getString(2));
                    }
                }
                assertThat(seqs).as("room %s numbered without gaps", room)
                        .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
                assertThat(texts).as("room %s keeps every acknowledged append", room)
                        .containsAllEntriesOf(acknowledged.get(room));
            }
        }
    }

    private static NewMessage message(String room, String text) {
        return new NewMessage(room, "u-1", "Ann", text, T0);
    }
}
