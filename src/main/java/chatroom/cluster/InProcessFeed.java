package chatroom.cluster;

import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;

/**
 * The feed of a single node: {@link #publish} hands the message straight to its room's receiver, on the
 * caller's thread, before returning. Nothing travels, so nothing is lost: it never calls the
 * {@link #whenMessagesMayBeLost} hook and is always connected. Pick it when the server runs alone
 * (embedded mode); several nodes need {@link RedisFeed}.
 */
public final class InProcessFeed implements MessageFeed {

    private final Receivers receivers = new Receivers();

    @Override
    public void publish(RoomEvent event) {
        receivers.deliver(event);
    }

    @Override
    public void signal(String room, Signal signal) {
        receivers.signal(room, signal);
    }

    @Override
    public void subscribe(String room, Receiver receiver) {
        receivers.put(room, receiver);
    }

    @Override
    public void unsubscribe(String room) {
        receivers.remove(room);
    }

    /** Never runs {@code recheck}: an in-process feed drops nothing. */
    @Override
    public void whenMessagesMayBeLost(Runnable recheck) {}

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void close() {}
}
