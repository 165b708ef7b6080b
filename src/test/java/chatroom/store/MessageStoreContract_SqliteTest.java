package chatroom.store;

import chatroom.room.MessageStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the JDBC store on a real SQLite file. */
class MessageStoreContract_SqliteTest extends MessageStoreContract {

    @TempDir
    Path dir;

    @Override
    MessageStore openStore() {
        return JdbcMessageStore.openSqlite(dir.resolve("chat.db"));
    }
}
