package chatroom.cluster;

import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's receivers, one per local room, as a feed holds them. Delivery to one room is serialized
 * (the feed contract promises receivers one event or signal at a time per room, while they may arrive
 * both from local publishers and from the bus); receivers only hand each to their room's
 * thread, so the lock is held for microseconds. A receiver that throws is logged and stays subscribed.
 */
final class Receivers {

    private static final Logger log = LoggerFactory.getLogger(Receivers.class);

    private final ConcurrentHashMap<String, Receiver> byRoom = new ConcurrentHashMap<>();

    /** Sets the room's receiver, replacing any earlier one; true if the room had none. */
    boolean put(String room, MessageFeed.Receiver receiver) {
        return byRoom.put(room, new Receiver(room, receiver)) == null;
    }

    /** True if the room had a receiver. */
    boolean remove(String room) {
        return byRoom.remove(room) != null;
    }

    boolean has(String room) {
        return byRoom.containsKey(room);
    }

    Set<String> rooms() {
        return Set.copyOf(byRoom.keySet());
    }

    /** Passes the event to its room's receiver, if this node has one; never throws. */
    void deliver(RoomEvent event) {
        Receiver receiver = byRoom.get(event.room());
        if (receiver != null) {
            receiver.accept(event);
        }
    }

    /** Passes the signal to the room's receiver, if this node has one; never throws. */
    void signal(String room, Signal signal) {
        Receiver receiver = byRoom.get(room);
        if (receiver != null) {
            receiver.accept(signal);
        }
    }

    private record Receiver(String room, MessageFeed.Receiver receiver) {

        void accept(RoomEvent event) {
            synchronized (this) {
                try {
                    receiver.event(event);
                } catch (RuntimeException e) {
                    log.warn("{}: receiver failed on event {}", room, event.seq(), e);
                }
            }
        }

        void accept(Signal signal) {
            synchronized (this) {
                try {
                    receiver.signal(signal);
                } catch (RuntimeException e) {
                    log.warn("{}: receiver failed on a signal", room, e);
                }
            }
        }
    }
}
