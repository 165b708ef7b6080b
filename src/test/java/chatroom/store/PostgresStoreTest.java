package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static chatroom.store.MessageStoreContract.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatroom.TestDatabase;
import chatroom.room.Message;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewMessage;
import chatroom.room.NewReaction;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store beyond the contract: start-up errors, several nodes on one database, and a deleted
 * message's text in no table.
 */
class PostgresStoreTest {

    private TestDatabase database;
    private final List<JdbcMessageStore> opened = new ArrayList<>();

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.create();
    }

    @AfterEach
    void closeStoresAndDropDatabase() {
        try {
            opened.forEach(JdbcMessageStore::close);
        } finally {
            database.close();
        }
    }

    @Test
    void two_nodes_appending_to_one_room_at_once_get_seqs_1_to_n_without_gaps_or_duplicates() throws Exception {
        var nodes = List.of(open(database.url()), open(database.url()));
        int perNode = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<List<CompletableFuture<Message>>> futuresByNode = new ArrayList<>();
        List<Thread> appenders = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            var node = nodes.get(n);
            String author = "u-node" + n;
            List<CompletableFuture<Message>> mine = new ArrayList<>();
            futuresByNode.add(mine);
            appenders.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < perNode; i++) {
                    mine.add(messages(node).append(new NewMessage("lobby", author, "Ann", author + " " + i, T0)));
                }
            }));
        }
        start.countDown();
        for (Thread appender : appenders) appender.join();

        Map<Long, String> acknowledged = new HashMap<>(); // seq → text, from the futures
        for (var futures : futuresByNode) {
            List<Long> seqsInCallOrder = new ArrayList<>();
            for (var future : futures) {
                Message message = MessageStoreContract.get(future);
                seqsInCallOrder.add(message.seq());
                assertThat(acknowledged.put(message.seq(), message.text()))
                        .as("seq %d given to two appends", message.seq())
                        .isNull();
            }
            assertThat(seqsInCallOrder).as("one node's appends, in call order").isSorted();
        }
        List<Message> stored = MessageStoreContract.get(messages(nodes.get(0)).after("lobby", 0, Integer.MAX_VALUE));
        assertThat(stored)
                .extracting(Message::seq)
                .isEqualTo(LongStream.rangeClosed(1, 2L * perNode).boxed().toList());
        for (Message message : stored) {
            assertThat(message.text()).as("seq %d", message.seq()).isEqualTo(acknowledged.get(message.seq()));
        }
    }

    @Test
    void two_nodes_racing_with_the_same_client_id_store_it_once_and_both_complete_with_it() throws Exception {
        var nodes = List.of(open(database.url()), open(database.url()));
        int sends = 300;
        CountDownLatch start = new CountDownLatch(1);
        List<List<CompletableFuture<Message>>> futuresByNode = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (var node : nodes) {
            List<CompletableFuture<Message>> mine = new ArrayList<>();
            futuresByNode.add(mine);
            senders.add(Thread.ofPlatform().start(() -> {
                awaitQuietly(start);
                for (int i = 0; i < sends; i++) {
                    // the same send, retried on the other node at the same moment
                    mine.add(messages(node).append(new NewMessage("lobby", "u-1", "Ann", "send " + i, T0, "c-" + i)));
                }
            }));
        }
        start.countDown();
        for (Thread sender : senders) sender.join();

        for (int i = 0; i < sends; i++) {
            Message onNode1 = MessageStoreContract.get(futuresByNode.get(0).get(i));
            Message onNode2 = MessageStoreContract.get(futuresByNode.get(1).get(i));
            assertThat(onNode2).as("send %d", i).isEqualTo(onNode1);
            assertThat(onNode1.text()).isEqualTo("send " + i);
        }
        List<Message> stored = MessageStoreContract.get(messages(nodes.get(0)).after("lobby", 0, Integer.MAX_VALUE));
        assertThat(stored).extracting(Message::seq).isEqualTo(LongStream.rangeClosed(1, sends).boxed().toList());
        assertThat(MessageStoreContract.get(nodes.get(1).lastSeqs(List.of("lobby")))).containsEntry("lobby", (long) sends);
    }

    @Test
    void a_malformed_url_is_refused_naming_the_value_and_the_form_expected() {
        assertThatThrownBy(() -> PostgresStore.open("mysql://localhost/chat"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'mysql://localhost/chat'")
                .hasMessageContaining("expected postgresql://HOST:PORT/DATABASE");
        assertThatThrownBy(() -> PostgresStore.open("postgresql://localhost:5432/?user=u&password=secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no database")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> PostgresStore.open("postgresql://localhost:port/chat"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host (or the host or port is malformed)");
    }

    @Test
    void an_unreachable_server_fails_start_up_at_once_naming_host_port_and_cause() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long startNanos = System.nanoTime();

        assertThatThrownBy(() -> PostgresStore.open("postgresql://127.0.0.1:" + closedPort + "/chat?user=postgres"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("PostgreSQL at 127.0.0.1:" + closedPort + " (database chat): cannot connect: ")
                .hasMessageContaining("refused");
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(PostgresStore.CONNECT_TIMEOUT);
    }

    @Test
    void a_jdbc_url_opens_the_same_database() throws Exception {
        try (var store = JdbcMessageStore.openPostgres(database.jdbcUrl())) {
            MessageStoreContract.get(messages(store).append(new NewMessage("lobby", "u-1", "Ann", "hi", T0)));
        }

        try (Connection db = database.connect();
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM messages")) {
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(1);
        }
    }

    @Test
    void a_deleted_message_s_text_is_in_no_row_of_any_table_neither_as_it_was_sent_nor_as_edited() throws Exception {
        var store = open(database.url());
        String secret = "the launch code is 7-4-1-9-zebra";
        Message said = MessageStoreContract.get(messages(store).append(new NewMessage("lobby", "u-1", "Ann", secret, T0)));
        MessageStoreContract.get(store.append(new NewEdit("lobby", said.seq(), "u-1", secret + ", not 8", T0, null)));
        MessageStoreContract.get(store.append(new NewReaction("lobby", said.seq(), "u-2", "Bob", "👍", true, T0, null)));
        MessageStoreContract.get(messages(store).append(new NewMessage("lobby", "u-2", "Bob", "noted", T0, null, said.seq())));
        assertThat(rowsHolding("7-4-1-9-zebra")).as("before the deletion").isNotEmpty();

        MessageStoreContract.get(store.append(new NewDeletion("lobby", said.seq(), "u-1", false, T0, null)));

        assertThat(rowsHolding("7-4-1-9-zebra")).isEmpty();
        assertThat(rowsHolding("noted")).as("the reply stays").hasSize(1);
    }

    /** Each row, of every table of the store's schema, whose text form holds the string: "table: row". */
    private List<String> rowsHolding(String text) throws Exception {
        List<String> found = new ArrayList<>();
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")) {
                while (rows.next()) tables.add(rows.getString(1));
            }
            assertThat(tables).contains("messages", "events", "reactions");
            for (String table : tables) {
                try (ResultSet rows = sql.executeQuery("SELECT t::text FROM \"" + table + "\" t")) {
                    while (rows.next()) {
                        if (rows.getString(1).contains(text)) found.add(table + ": " + rows.getString(1));
                    }
                }
            }
        }
        return found;
    }

    private JdbcMessageStore open(String url) {
        var store = PostgresStore.open(url, JdbcMessageStore.Settings.defaults().withMaxBatch(64));
        opened.add(store);
        return store;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
