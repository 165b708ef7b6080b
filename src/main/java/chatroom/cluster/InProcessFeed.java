package chatroom.cluster;

import chatroom.room.Message;
import chatroom.room.MessageFeed;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The feed of a single node: a published message goes straight to its room's receiver, on the
 * publisher's thread. Nothing is ever lost between publish and receiver, so it never asks rooms to
 * check the store.
 */
public final class InProcessFeed implements MessageFeed {

    private final ConcurrentHashMap<String, Consumer<Message>> receivers = new ConcurrentHashMap<>();

    @Override
    public void publish(Message message) {
        Consumer<Message> receiver = receivers.get(message.room());
        if (receiver != null) {
            receiver.accept(message);
        }
    }

    @Override
    public void subscribe(String room, Consumer<Message> receiver) {
        receivers.put(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        receivers.remove(room);
    }

    @Override
    public void whenMessagesMayBeLost(Runnable recheck) {
        // nothing is ever lost in-process
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void close() {
        receivers.clear();
    }
}
