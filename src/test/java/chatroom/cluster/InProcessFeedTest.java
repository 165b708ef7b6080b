package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InProcessFeedTest {

    private final InProcessFeed feed = new InProcessFeed();

    private static Message message(String room, long seq) {
        return new Message(room, seq, "u1", "ann", "m" + seq, Instant.ofEpochMilli(1_700_000_000_000L + seq));
    }

    @Test
    void a_published_message_reaches_its_rooms_receiver_on_the_callers_thread_before_publish_returns() {
        List<Message> got = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        feed.subscribe("lobby", m -> {
            got.add(m);
            threads.add(Thread.currentThread());
        });

        feed.publish(message("lobby", 1));

        assertThat(got).containsExactly(message("lobby", 1));
        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void messages_reach_only_their_own_room() {
        List<Message> lobby = new ArrayList<>();
        List<Message> other = new ArrayList<>();
        feed.subscribe("lobby", lobby::add);
        feed.subscribe("other", other::add);

        feed.publish(message("other", 1));
        feed.publish(message("nobody-here", 1));

        assertThat(lobby).isEmpty();
        assertThat(other).containsExactly(message("other", 1));
    }

    @Test
    void after_unsubscribe_the_receiver_gets_nothing() {
        List<Message> got = new ArrayList<>();
        feed.subscribe("lobby", got::add);
        feed.unsubscribe("lobby");

        feed.publish(message("lobby", 1));

        assertThat(got).isEmpty();
    }

    @Test
    void a_throwing_receiver_does_not_reach_the_publisher() {
        feed.subscribe("lobby", m -> {
            throw new IllegalStateException("broken receiver");
        });

        feed.publish(message("lobby", 1)); // no exception
    }

    @Test
    void it_is_always_connected_and_never_calls_the_hook() {
        AtomicBoolean called = new AtomicBoolean();
        feed.whenMessagesMayBeLost(() -> called.set(true));
        feed.subscribe("lobby", m -> {});
        feed.publish(message("lobby", 1));
        feed.close();

        assertThat(feed.connected()).isTrue();
        assertThat(called).isFalse();
    }
}
