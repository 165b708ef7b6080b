package chatroom.account;

import chatroom.store.Invites;
import chatroom.store.JdbcMessageStore;
import java.sql.Connection;

class AccountStoreContract_SqliteTest extends AccountStoreContract {

    @Override
    JdbcMessageStore open() {
        return JdbcMessageStore.openSqlite(dir.resolve("chat.db"));
    }

    @Override
    Connection operator() throws Exception {
        return Invites.sqlite(dir.resolve("chat.db"));
    }
}
