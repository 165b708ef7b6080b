package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Typing is shown by the room's host: a sleeping room stays asleep, and each member is sent one frame. */
class TypingRoomTest {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    /** Rooms sleep 200 ms after their last event. */
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMillis(200), Duration.ofMillis(10), Duration.ofMillis(20));
    private Rooms rooms;

    @AfterEach
    void stop() {
        if (rooms != null) {
            rooms.close();
        }
        thread.shutdownNow();
    }

    @Test
    void someone_typing_in_a_sleeping_room_is_shown_to_everyone_there_without_waking_it() {
        rooms = new Rooms(RoomServices.of(new InMemoryMessageStore(), new FakeFeed(), new InProcessPresence(), new FakeViews(),
                settings, Clock.systemUTC()), () -> thread, 100);
        RoomHost host = rooms.get(RoomName.parse("quiet"));
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(ann, -1);
        host.join(bob, -1);
        Await.until(() -> bob.received.stream().anyMatch(f -> f.startsWith("presence:")) ? true : null, "bob to be shown who is here");
        Await.until(() -> rooms.asleepCount() == 1 ? true : null, "the room to fall asleep", Duration.ofSeconds(10));

        host.handle(ann, new Command.Typing());

        Await.until(() -> bob.received.contains("typing:ann") ? true : null, "bob to be told ann is typing", () -> "got " + bob.received);
        Await.until(() -> ann.received.contains("typing:ann") ? true : null, "ann's page to be told too (it hides it)");
        assertThat(rooms.asleepCount()).as("the room slept through it").isEqualTo(1);
        assertThat(rooms.awakeCount()).isZero();
        assertThat(bob.received.stream().filter(f -> f.equals("typing:ann"))).hasSize(1);
    }
}
