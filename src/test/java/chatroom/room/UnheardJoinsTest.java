package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A room whose board does not hear its changes at first, as a Redis board whose subscription is not
 * confirmed yet: the joins told meanwhile are lost (they went to Redis before the subscription) or come
 * late (they waited for it). Either way each member is told once of whoever joined after the list it was
 * shown, and of nobody it was shown.
 */
class UnheardJoinsTest {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(20));
    private final LateHearingBoard board = new LateHearingBoard();
    private final Rooms rooms =
            new Rooms(RoomServices.of(new InMemoryMessageStore(), new FakeFeed(), board, new FakeViews(), settings,
                    Clock.systemUTC()), () -> thread);

    @AfterEach
    void stop() {
        rooms.close();
        thread.shutdownNow();
    }

    @Test
    void a_join_lost_before_the_board_hears_the_room_is_told_once_it_does() {
        board.losing();
        FakeMember bob = join("u-bob", "bob");
        Await.until(() -> bob.received.contains("presence:bob"), "bob's list; got " + bob.received);
        FakeMember carl = join("u-carl", "carl");
        Await.until(() -> carl.received.contains("presence:bob,carl"), "carl's list; got " + carl.received);

        board.hear(thread);

        awaitTold(bob, "carl");
        FakeMember dave = join("u-dave", "dave"); // heard: once he is told, nothing is on its way
        awaitTold(bob, "dave");
        assertThat(toldJoined(bob, "carl")).as("bob was sent %s", bob.received).isEqualTo(1);
        assertThat(toldJoined(bob, "bob")).as("bob, whose own list showed him, was sent %s", bob.received).isZero();
        assertThat(toldJoined(dave, "carl")).as("dave was sent %s", dave.received).isZero();
    }

    @Test
    void a_join_heard_only_after_the_board_hears_the_room_is_not_told_twice() {
        board.holding(); // this node's own joins wait for the subscription, and are heard once it is confirmed
        FakeMember bob = join("u-bob", "bob");
        Await.until(() -> bob.received.contains("presence:bob"), "bob's list; got " + bob.received);
        FakeMember carl = join("u-carl", "carl");
        Await.until(() -> carl.received.contains("presence:bob,carl"), "carl's list; got " + carl.received);

        board.hear(thread);

        awaitTold(bob, "carl");
        join("u-dave", "dave");
        awaitTold(bob, "dave");
        assertThat(toldJoined(bob, "carl")).as("bob was sent %s", bob.received).isEqualTo(1);
        assertThat(toldJoined(carl, "carl")).as("carl was sent %s", carl.received).isEqualTo(1);
    }

    @Test
    void someone_every_member_was_shown_is_not_told_as_joined_when_the_board_hears_the_room() {
        board.arrivedElsewhere("lounge", Author.of("u-ann", "ann")); // on another node, before the room started here
        board.losing();
        FakeMember bob = join("u-bob", "bob");
        Await.until(() -> bob.received.contains("presence:ann,bob"), "bob's list; got " + bob.received);

        board.hear(thread);

        join("u-dave", "dave");
        awaitTold(bob, "dave");
        assertThat(toldJoined(bob, "ann")).as("bob was sent %s", bob.received).isZero();
    }

    private FakeMember join(String id, String name) {
        FakeMember member = new FakeMember(id, name);
        rooms.get(RoomName.parse("lounge")).join(member, -1);
        return member;
    }

    private static void awaitTold(FakeMember member, String name) {
        Await.until(() -> toldJoined(member, name) > 0 ? true : null, member.author().name() + " to be told " + name
                + " joined", () -> "got " + member.received);
    }

    /** How many times "... joined" notices named the user ("notice:bob and carl joined" names both). */
    private static long toldJoined(FakeMember member, String name) {
        return member.received.stream()
                .filter(f -> f.startsWith("notice:") && f.endsWith(" joined"))
                .map(f -> f.substring("notice:".length(), f.length() - " joined".length()))
                .flatMap(names -> Arrays.stream(names.split(", | and ")))
                .filter(name::equals)
                .count();
    }

    /**
     * An in-process board that does not hear the room until the test says so: what it would tell the room
     * meanwhile is dropped (published before a subscription took effect) or held and told after (changes
     * that waited for the subscription). Then it hears the room, as a Redis board does once confirmed.
     */
    private static final class LateHearingBoard implements PresenceBoard {

        private final InProcessPresence board = new InProcessPresence();
        private final List<Change> held = new ArrayList<>();
        private Consumer<Change> watcher;
        private Runnable heard;
        private boolean hearing;
        private boolean holding;

        synchronized void losing() {
            holding = false;
        }

        synchronized void holding() {
            holding = true;
        }

        /** Someone who arrived through another node: in the room, with no room here to tell. */
        void arrivedElsewhere(String room, Author user) {
            board.arrived(room, user);
        }

        /**
         * The subscription is confirmed: the room is told it is heard, then, once it has read who is here
         * (two turns of its thread: the read is posted, then answered), what waited for it: the late
         * order, in which what waited comes after the room's own read listed it.
         */
        void hear(ScheduledExecutorService roomThread) {
            List<Change> waited;
            synchronized (this) {
                hearing = true;
                waited = List.copyOf(held);
                held.clear();
            }
            heard.run();
            CompletableFuture.runAsync(() -> {}, roomThread).join();
            CompletableFuture.runAsync(() -> {}, roomThread).join();
            waited.forEach(watcher);
        }

        private void told(Change change) {
            synchronized (this) {
                if (!hearing) {
                    if (holding) {
                        held.add(change);
                    }
                    return;
                }
            }
            watcher.accept(change);
        }

        @Override
        public void watch(String room, Consumer<Change> watcher) {
            watch(room, watcher, () -> {});
        }

        @Override
        public void watch(String room, Consumer<Change> watcher, Runnable heard) {
            this.watcher = watcher;
            this.heard = heard;
            board.watch(room, this::told);
        }

        @Override
        public void arrived(String room, Author user) {
            board.arrived(room, user);
        }

        @Override
        public void departed(String room, Author user) {
            board.departed(room, user);
        }

        @Override
        public void renamed(String room, Author user, String oldName) {
            board.renamed(room, user, oldName);
        }

        @Override
        public void unwatch(String room) {
            board.unwatch(room);
        }

        @Override
        public CompletableFuture<List<Author>> here(String room) {
            return board.here(room);
        }

        @Override
        public List<Occupancy> busiest(int limit) {
            return board.busiest(limit);
        }

        @Override
        public void close() {
            board.close();
        }
    }
}
