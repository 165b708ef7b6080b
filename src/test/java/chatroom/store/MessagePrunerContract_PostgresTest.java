package chatroom.store;

import static chatroom.room.StoredMessages.messages;
import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.TestDatabase;
import chatroom.room.Message;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retention on PostgreSQL, where every node of a cluster runs its own pruner on the one database. */
class MessagePrunerContract_PostgresTest extends MessagePrunerContract {

    private TestDatabase database;

    @Override
    JdbcMessageStore openStore() {
        if (database == null) database = TestDatabase.create();
        return JdbcMessageStore.openPostgres(database.url());
    }

    @Override
    void afterStoresClosed() {
        if (database != null) database.close();
    }

    @Test
    void two_nodes_pruning_the_same_rooms_at_once_delete_each_message_once_and_keep_the_rest() throws Exception {
        JdbcMessageStore first = store();
        JdbcMessageStore second = store();
        Instant old = Instant.now().minus(Duration.ofHours(5));
        for (String room : List.of("a", "b", "c")) {
            appendAll(first, room, 3_000, old);
            appendAll(second, room, 7, Instant.now());
        }

        Retention retention = Retention.of(Optional.of(Duration.ofHours(1)), 0, OFTEN);
        first.startPruning(retention, Clock.systemUTC());
        second.startPruning(retention, Clock.systemUTC());

        for (String room : List.of("a", "b", "c")) {
            Await.until(() -> oldestSeq(first, room) == 3_001, "room " + room + " pruned", PRUNED_WITHIN);
            List<Message> kept = messages(second).after(room, 0, 100).get(10, TimeUnit.SECONDS);
            assertThat(kept).extracting(Message::seq).containsExactly(3_001L, 3_002L, 3_003L, 3_004L, 3_005L, 3_006L, 3_007L);
        }
    }
}
