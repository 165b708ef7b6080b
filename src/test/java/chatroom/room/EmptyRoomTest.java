package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A room nobody is in leaves memory, and its feed subscription, about a second after its last member
 * leaves, whatever the idle time (a minute here); a room with members keeps the idle rule. And the cap of
 * rooms one node hosts.
 */
class EmptyRoomTest {

    /** Far beyond the second an empty room takes to go, on a loaded machine too. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(20));
    private final FakeFeed feed = new FakeFeed();
    private Rooms rooms;

    private Rooms rooms(MessageStore store, int maxRooms) {
        rooms = new Rooms(RoomServices.of(store, feed, new InProcessPresence(), new FakeViews(), settings, Clock.systemUTC()),
                () -> thread, maxRooms);
        return rooms;
    }

    @AfterEach
    void stop() {
        if (rooms != null) {
            rooms.close();
        }
        thread.shutdownNow();
    }

    @Test
    void a_room_whose_last_member_leaves_is_gone_with_its_subscription_within_seconds_not_the_idle_minute() {
        Rooms rooms = rooms(new InMemoryMessageStore(), 100);
        RoomHost host = rooms.get(RoomName.parse("passing"));
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")) ? true : null,
                "ann to be shown who is here", () -> "got " + ann.received);
        assertThat(rooms.awakeCount()).isEqualTo(1);
        assertThat(feed.subscribed()).containsExactly("passing");

        long leftAt = System.nanoTime();
        host.leave(ann);

        Await.until(() -> !rooms.hosts(RoomName.parse("passing")) && feed.subscribed().isEmpty(), "the empty room to go",
                GONE_WITHIN);
        assertThat(rooms.awakeCount()).isZero();
        assertThat(rooms.asleepCount()).isZero();
        System.out.printf("an empty room went %d ms after its last member left%n", (System.nanoTime() - leftAt) / 1_000_000);
    }

    @Test
    void a_room_with_a_member_stays_while_an_empty_one_beside_it_goes() {
        Rooms rooms = rooms(new InMemoryMessageStore(), 100);
        RoomHost kept = rooms.get(RoomName.parse("kept"));
        RoomHost left = rooms.get(RoomName.parse("left"));
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        kept.join(ann, -1);
        left.join(bob, -1);
        Await.until(() -> bob.received.stream().anyMatch(f -> f.startsWith("presence:")), "bob to be in");
        left.leave(bob);

        // the marker: the empty room has gone, which happens a second after bob left
        Await.until(() -> !rooms.hosts(RoomName.parse("left")), "the empty room to go", GONE_WITHIN);

        assertThat(rooms.hosts(RoomName.parse("kept"))).isTrue();
        assertThat(rooms.awakeCount()).isEqualTo(1);
        assertThat(feed.subscribed()).containsExactly("kept");
        kept.handle(ann, new Command.Say("still here", null));
        Await.until(() -> String.join("|", ann.received).contains(":still here") ? true : null, "ann's message",
                () -> "got " + ann.received);
    }

    @Test
    void a_message_still_being_stored_when_its_sender_leaves_is_published_and_only_then_does_the_room_go() {
        CompletableFuture<Void> commit = new CompletableFuture<>();
        ForwardingStore store = new ForwardingStore() {
            @Override
            public CompletableFuture<Message> append(NewMessage message) {
                return commit.thenCompose(v -> super.append(message)); // a commit that takes its time
            }
        };
        Rooms rooms = rooms(store, 100);
        RoomHost host = rooms.get(RoomName.parse("parting"));
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")), "ann to be in");
        host.handle(ann, new Command.Say("last words", null));
        host.leave(ann);
        // a room emptied after ann's, gone: ann's has had its second too
        RoomHost marker = rooms.get(RoomName.parse("marker"));
        FakeMember bob = new FakeMember("u2", "bob");
        marker.join(bob, -1);
        marker.leave(bob);
        Await.until(() -> !rooms.hosts(RoomName.parse("marker")), "the marker room to go", GONE_WITHIN);
        assertThat(rooms.hosts(RoomName.parse("parting"))).as("the room waiting for its store write").isTrue();
        assertThat(feed.subscribed()).containsExactly("parting");

        commit.complete(null);

        Await.until(() -> !rooms.hosts(RoomName.parse("parting")), "the room to go once its message is out", GONE_WITHIN);
        assertThat(feed.published()).extracting(Message::text).containsExactly("last words");
        assertThat(store.memory.messagesAfter("parting", 0)).extracting(Message::text).containsExactly("last words");
        assertThat(rooms.awakeCount()).isZero();
        assertThat(feed.subscribed()).isEmpty();
    }

    @Test
    void beyond_its_cap_a_node_admits_members_of_the_rooms_it_hosts_but_no_new_room_until_one_goes() {
        Rooms rooms = rooms(new InMemoryMessageStore(), 2);
        RoomHost one = rooms.admit(RoomName.parse("one"));
        RoomHost two = rooms.admit(RoomName.parse("two"));
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        one.join(ann, -1);
        two.join(bob, -1);

        assertThat(rooms.admit(RoomName.parse("three"))).isNull();
        assertThat(rooms.admit(RoomName.parse("one"))).isSameAs(one);

        two.leave(bob);
        RoomHost three = Await.until(() -> rooms.admit(RoomName.parse("three")), "room for a third room", GONE_WITHIN);
        assertThat(three.name().value()).isEqualTo("three");
        assertThat(rooms.hosts(RoomName.parse("two"))).isFalse();
    }

    @Test
    void the_cap_from_the_heap_is_a_quarter_of_it_at_4_kb_a_room() {
        long heap = Runtime.getRuntime().maxMemory();
        assertThat(Rooms.maxRoomsForHeap()).isEqualTo((int) Math.max(100, heap / 4 / 4096));
    }
}
