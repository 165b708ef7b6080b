package chatroom.cluster;

import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fault for tests of the cluster: a feed that delivers this node's messages to its own rooms but
 * never tells the other nodes, as if the node died after each commit and before its publish. The other
 * nodes must still get every message, from the database. {@code Main} puts it in front of the real feed
 * when {@code CHATROOM_FAULT_NO_PUBLISH=true}; nothing else uses it.
 */
public final class SilentPublisherFeed implements MessageFeed {

    private final MessageFeed feed;
    private final ConcurrentHashMap<String, Receiver> receivers = new ConcurrentHashMap<>();

    public SilentPublisherFeed(MessageFeed feed) {
        this.feed = feed;
    }

    @Override
    public void publish(RoomEvent event) {
        Receiver receiver = receivers.get(event.room());
        if (receiver != null) {
            receiver.event(event);
        }
    }

    /** Signals travel as usual: the fault is the node's publish of what it committed. */
    @Override
    public void signal(String room, Signal signal) {
        feed.signal(room, signal);
    }

    @Override
    public void subscribe(String room, Receiver receiver) {
        receivers.put(room, receiver);
        feed.subscribe(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        receivers.remove(room);
        feed.unsubscribe(room);
    }

    @Override
    public void whenMessagesMayBeLost(Runnable recheck) {
        feed.whenMessagesMayBeLost(recheck);
    }

    @Override
    public boolean connected() {
        return feed.connected();
    }

    @Override
    public void close() {
        feed.close();
    }
}
