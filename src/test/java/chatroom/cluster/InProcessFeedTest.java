package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.room.MessageFeed;
import chatroom.room.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InProcessFeedTest extends MessageFeedContract {

    @Override
    MessageFeed newFeed() {
        return new InProcessFeed();
    }

    @Test
    void the_receiver_runs_on_the_publishers_thread() {
        List<Thread> threads = new ArrayList<>();
        feed.subscribe("lobby", m -> threads.add(Thread.currentThread()));

        feed.publish(message("lobby"));

        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void it_stays_connected_and_never_calls_the_hook() {
        AtomicBoolean called = new AtomicBoolean();
        feed.whenMessagesMayBeLost(() -> called.set(true));
        feed.subscribe("lobby", m -> {});
        feed.publish(message("lobby"));
        feed.close();

        assertThat(feed.connected()).isTrue();
        assertThat(called).isFalse();
    }
}
