package chatroom.store;

import chatroom.TestDatabase;
import chatroom.room.MessageStore;

/** The contract against the JDBC store on PostgreSQL: a fresh database on the machine's server per test. */
class MessageStoreContract_PostgresTest extends MessageStoreContract {

    private TestDatabase database;

    @Override
    MessageStore openStore() {
        database = TestDatabase.create();
        return JdbcMessageStore.openPostgres(database.url());
    }

    @Override
    void afterStoreClosed() {
        if (database != null) database.close();
    }
}
