package chatroom.account;

import chatroom.TestDatabase;
import chatroom.store.Invites;
import chatroom.store.JdbcMessageStore;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;

/** On a fresh database of the machine's PostgreSQL, dropped afterwards. */
class AccountStoreContract_PostgresTest extends AccountStoreContract {

    private final TestDatabase database = TestDatabase.create();

    @AfterEach
    void drop() {
        database.close();
    }

    @Override
    JdbcMessageStore open() {
        return JdbcMessageStore.openPostgres(database.url());
    }

    @Override
    Connection operator() throws Exception {
        return Invites.postgres(database.url());
    }
}
