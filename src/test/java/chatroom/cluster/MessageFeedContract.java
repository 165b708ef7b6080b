package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.Author;
import chatroom.room.Message;
import chatroom.room.MessageFeed;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomEvent;
import chatroom.room.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageFeed} does on one node, whatever carries messages between nodes: run against
 * each implementation by a subclass that says how to make one.
 */
abstract class MessageFeedContract {

    MessageFeed feed;
    private final AtomicLong seqs = new AtomicLong();

    abstract MessageFeed newFeed();

    @BeforeEach
    void openFeed() {
        feed = newFeed();
    }

    @AfterEach
    void closeFeed() {
        feed.close();
    }

    RoomEvent message(String room) {
        long seq = seqs.incrementAndGet();
        return new RoomEvent.Posted(new Message(room, seq, "u1", "ann", "m" + seq, Instant.ofEpochMilli(1_700_000_000_000L + seq)));
    }

    @Test
    void a_published_message_reaches_its_rooms_receiver_on_this_node_before_publish_returns() {
        List<RoomEvent> got = new ArrayList<>();
        feed.subscribe("lobby", got::add);

        RoomEvent m = message("lobby");
        feed.publish(m);

        assertThat(got).containsExactly(m);
    }

    @Test
    void messages_reach_only_their_own_room() {
        List<RoomEvent> lobby = new ArrayList<>();
        List<RoomEvent> other = new ArrayList<>();
        feed.subscribe("lobby", lobby::add);
        feed.subscribe("other", other::add);

        RoomEvent m = message("other");
        feed.publish(m);
        feed.publish(message("nobody-here"));

        assertThat(lobby).isEmpty();
        assertThat(other).containsExactly(m);
    }

    @Test
    void a_signal_reaches_its_rooms_receiver_on_this_node_before_signal_returns_and_no_other_room() {
        List<Signal> lobby = new ArrayList<>();
        List<Signal> other = new ArrayList<>();
        feed.subscribe("lobby", receiver(new ArrayList<>(), lobby));
        feed.subscribe("other", receiver(new ArrayList<>(), other));
        Signal ann = new Signal.Presence(PresenceBoard.Change.joined(new Author("u1", "ann", "t1")));

        feed.signal("lobby", ann);
        feed.signal("nobody-here", ann);

        assertThat(lobby).containsExactly(ann);
        assertThat(other).isEmpty();
    }

    /** A receiver that keeps what it is passed. */
    static MessageFeed.Receiver receiver(List<RoomEvent> events, List<Signal> signals) {
        return new MessageFeed.Receiver() {
            @Override
            public void event(RoomEvent event) {
                events.add(event);
            }

            @Override
            public void signal(Signal signal) {
                signals.add(signal);
            }
        };
    }

    @Test
    void after_unsubscribe_the_receiver_gets_nothing() {
        List<RoomEvent> got = new ArrayList<>();
        feed.subscribe("lobby", got::add);
        feed.unsubscribe("lobby");

        feed.publish(message("lobby"));

        assertThat(got).isEmpty();
    }

    @Test
    void a_throwing_receiver_does_not_reach_the_publisher_and_stays_subscribed() {
        List<RoomEvent> got = new ArrayList<>();
        feed.subscribe("lobby", m -> {
            got.add(m);
            throw new IllegalStateException("broken receiver");
        });

        feed.publish(message("lobby")); // no exception
        feed.publish(message("lobby"));

        assertThat(got).hasSize(2);
    }

    @Test
    void a_fresh_feed_is_connected_and_a_closed_one_still_takes_publish_without_throwing() {
        assertThat(feed.connected()).isTrue();
        feed.close();
        feed.publish(message("lobby"));
    }
}
