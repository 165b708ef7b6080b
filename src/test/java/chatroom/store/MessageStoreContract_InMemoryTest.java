package chatroom.store;

import chatroom.room.InMemoryMessageStore;
import chatroom.room.MessageStore;

/** The contract against the in-memory store, so the fake the core's tests use is held to the same rules. */
class MessageStoreContract_InMemoryTest extends MessageStoreContract {

    @Override
    MessageStore openStore() {
        return new InMemoryMessageStore();
    }
}
