package chatroom.cluster;

import chatroom.room.RoomEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's receivers, one per local room, as a feed holds them. Delivery to one room is serialized
 * (the feed contract promises receivers one message at a time per room, while messages for a room may
 * arrive both from local publishers and from the bus); receivers only hand the message to their room's
 * thread, so the lock is held for microseconds. A receiver that throws is logged and stays subscribed.
 */
final class Receivers {

    private static final Logger log = LoggerFactory.getLogger(Receivers.class);

    private final ConcurrentHashMap<String, Receiver> byRoom = new ConcurrentHashMap<>();

    /** Sets the room's receiver, replacing any earlier one; true if the room had none. */
    boolean put(String room, Consumer<RoomEvent> receiver) {
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

    /** Passes the message to its room's receiver, if this node has one; never throws. */
    void deliver(RoomEvent event) {
        Receiver receiver = byRoom.get(event.room());
        if (receiver != null) {
            receiver.accept(event);
        }
    }

    private record Receiver(String room, Consumer<RoomEvent> consumer) {

        void accept(RoomEvent event) {
            synchronized (this) {
                try {
                    consumer.accept(event);
                } catch (RuntimeException e) {
                    log.warn("{}: receiver failed on event {}", room, event.seq(), e);
                }
            }
        }
    }
}
