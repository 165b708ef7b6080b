package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The room's order when the feed between nodes is unreliable: members get every committed message
 * once, in seq order, whatever the feed loses, repeats or reorders, because the room keeps a cursor
 * and reads what it missed from the store.
 */
class RoomOrderTest {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(20));
    private final FakeFeed feed = new FakeFeed();
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private Rooms rooms;

    private RoomHost room(String name) {
        return room(name, store);
    }

    private RoomHost room(String name, MessageStore store) {
        rooms = new Rooms(RoomServices.of(store, feed, new InProcessPresence(), new FakeViews(), settings, Clock.systemUTC()),
                () -> thread);
        return rooms.get(RoomName.parse(name));
    }

    /** A message stored by "another node": in the store, and not announced here unless the test does so. */
    private Message storedElsewhere(String room, String text) {
        return ((RoomEvent.Posted) store.append(new NewMessage(room, "u9", "zed", text, Instant.now())).join()).message();
    }

    @AfterEach
    void stop() {
        rooms.close();
        thread.shutdownNow();
    }

    @Test
    void a_message_the_feed_loses_is_read_from_the_store_and_delivered_in_its_place() {
        RoomHost host = room("lossy");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        feed.lose(m -> m.seq() == 2);

        host.handle(ann, new Command.Say("one", null));
        host.handle(ann, new Command.Say("two", null));
        host.handle(ann, new Command.Say("three", null));

        Await.until(() -> ann.seqs().size() == 3, "all three messages; got " + ann.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void messages_the_feed_repeats_or_brings_out_of_order_reach_each_member_once_in_order() {
        RoomHost host = room("shuffled");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")), "ann to be in; got " + ann.received);
        Message one = storedElsewhere("shuffled", "one");
        Message two = storedElsewhere("shuffled", "two");
        Message three = storedElsewhere("shuffled", "three");

        feed.bring(three);
        feed.bring(one);
        feed.bring(three);
        feed.bring(two);
        feed.bring(one);

        Await.until(() -> ann.seqs().size() >= 3, "the three messages; got " + ann.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void a_last_message_the_feed_never_announced_arrives_when_the_feed_may_have_lost_messages() {
        RoomHost host = room("silent");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")), "ann to be in; got " + ann.received);
        storedElsewhere("silent", "committed, then its node died");

        feed.mayHaveLost();

        Await.until(() -> ann.seqs().size() == 1, "the unannounced message; got " + ann.received);
        assertThat(ann.received).contains("msg:1:committed, then its node died");
    }

    @Test
    void a_member_joining_a_room_with_history_elsewhere_gets_it_then_live_messages_without_a_gap() {
        for (int i = 1; i <= 3; i++) {
            storedElsewhere("older", "m" + i);
        }
        RoomHost host = room("older");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1);
        Await.until(() -> ann.seqs().size() == 3, "the history");

        host.handle(ann, new Command.Say("m4", null));
        feed.bring(storedElsewhere("older", "m5"));

        Await.until(() -> ann.seqs().size() == 5, "live messages; got " + ann.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void a_joining_member_whose_history_holds_messages_still_on_their_way_sees_each_once() {
        RoomHost host = room("ahead");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")), "ann to be in");
        Message one = storedElsewhere("ahead", "one"); // committed on another node, not yet announced here
        Message two = storedElsewhere("ahead", "two");

        FakeMember bob = new FakeMember("u2", "bob");
        host.join(bob, 0); // his history read already sees both
        Await.until(() -> bob.received.stream().anyMatch(f -> f.startsWith("presence:")), "bob to be in");
        feed.bring(one);
        feed.bring(two);

        Await.until(() -> ann.seqs().size() == 2, "ann to get both");
        Await.until(() -> bob.seqs().size() >= 2, "bob to get both; got " + bob.received);
        assertThat(bob.seqs()).containsExactly(1L, 2L);
    }

    @Test
    void the_lobby_lists_the_busiest_public_rooms_up_to_its_limit_and_never_a_private_one() {
        room("quiet");
        FakeMember[] crowd = new FakeMember[6];
        for (int i = 0; i < crowd.length; i++) {
            crowd[i] = new FakeMember("u" + i, "user" + i);
        }
        RoomName secret = RoomName.newPrivate();
        for (FakeMember member : crowd) {
            rooms.get(secret).join(member, 0);
        }
        rooms.get(RoomName.parse("busy")).join(crowd[0], 0);
        rooms.get(RoomName.parse("busy")).join(crowd[1], 0);
        rooms.get(RoomName.parse("calm")).join(crowd[2], 0);
        rooms.get(RoomName.parse("also-calm")).join(crowd[3], 0);

        Await.until(() -> rooms.busiest(10).size() == 3, "three public rooms with people; got " + rooms.busiest(10));
        assertThat(rooms.busiest(10)).containsExactly(
                new PresenceBoard.Occupancy(RoomName.parse("busy"), 2),
                new PresenceBoard.Occupancy(RoomName.parse("also-calm"), 1),
                new PresenceBoard.Occupancy(RoomName.parse("calm"), 1));
        assertThat(rooms.busiest(2)).extracting(o -> o.name().value()).isEqualTo(List.of("busy", "also-calm"));
    }

    @Test
    void messages_retention_pruned_before_this_node_delivered_them_are_skipped_instead_of_awaited_forever() {
        PrunedStore pruned = new PrunedStore(store);
        RoomHost host = room("pruned", pruned);
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("presence:")), "ann to be in; got " + ann.received);
        for (int i = 1; i <= 5; i++) storedElsewhere("pruned", "m" + i);

        pruned.upToSeq = 3; // the feed lost 1 to 4, and the store no longer has 1 to 3
        feed.bring(((RoomEvent.Posted) store.after("pruned", 4, 1).join().getFirst()).message());

        Await.until(() -> ann.seqs().size() == 2, "the messages the store still has; got " + ann.received);
        assertThat(ann.seqs()).containsExactly(4L, 5L);
    }

    /** The in-memory store as retention leaves it: the room's oldest messages, up to a seq, gone. */
    private static final class PrunedStore implements MessageStore {
        private final MessageStore store;
        volatile long upToSeq;

        PrunedStore(MessageStore store) {
            this.store = store;
        }

        @Override
        public CompletableFuture<RoomEvent> append(NewEvent event) {
            return store.append(event);
        }

        @Override
        public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
            return store.before(room, beforeSeq, limit).thenApply(this::kept);
        }

        @Override
        public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
            return store.after(room, Math.max(afterSeq, upToSeq), limit);
        }

        @Override
        public CompletableFuture<List<String>> recentRooms(int limit) {
            return store.recentRooms(limit);
        }

        @Override
        public CompletableFuture<Map<String, Long>> lastSeqs(
                Collection<String> rooms) {
            return store.lastSeqs(rooms);
        }

        @Override
        public void close() {}

        private List<Message> kept(List<Message> messages) {
            return messages.stream().filter(m -> m.seq() > upToSeq).toList();
        }
    }
}
