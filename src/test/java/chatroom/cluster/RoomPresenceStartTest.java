package chatroom.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.room.Author;
import chatroom.room.Fragment;
import chatroom.room.InMemoryMessageStore;
import chatroom.room.Member;
import chatroom.room.Message;
import chatroom.room.RoomName;
import chatroom.room.RoomEvent;
import chatroom.room.RoomServices;
import chatroom.room.RoomSettings;
import chatroom.room.RoomViews;
import chatroom.room.Rooms;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The "joined" notices members see when a room starts on a node whose subscription to the room's presence
 * channel is slow to take effect: rooms on two nodes, on the real Redis, node-2 through a proxy that holds
 * its SUBSCRIBEs back. A join announced meanwhile is published where node-2 does not hear it; node-2's
 * members must still be told of whoever joined after the list they were shown, once.
 */
class RoomPresenceStartTest {

    static final RoomName ROOM = RoomName.parse("lounge");

    PresenceNodes direct;
    PresenceNodes proxied;
    FreezingProxy proxy;
    final ScheduledExecutorService thread1 = Executors.newSingleThreadScheduledExecutor();
    final ScheduledExecutorService thread2 = Executors.newSingleThreadScheduledExecutor();
    Rooms node1;
    Rooms node2;

    @BeforeEach
    void startTwoNodes() throws Exception {
        direct = new PresenceNodes();
        proxy = new FreezingProxy(6379);
        proxied = new PresenceNodes(proxy.url());
        RedisPresence board1 = direct.start("node-1");
        RedisPresence board2 = proxied.start(direct.settings("node-2")); // the same deployment, through the proxy
        node1 = rooms(board1, thread1);
        node2 = rooms(board2, thread2);
    }

    private static Rooms rooms(RedisPresence board, ScheduledExecutorService thread) {
        return new Rooms(RoomServices.of(new InMemoryMessageStore(), new InProcessFeed(), board, new NoticeViews(),
                RoomSettings.defaults(), Clock.systemUTC()), () -> thread);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.holdSubscribes(false);
        node1.close();
        node2.close();
        proxied.close();
        direct.close();
        proxy.close();
        thread1.shutdownNow();
        thread2.shutdownNow();
    }

    @Test
    void a_member_is_told_of_someone_who_joined_through_the_same_node_before_the_room_heard_its_channel() {
        Visitor ann = join(node1, "ann"); // given ann, on node-1, who hears the room
        ann.awaitToldJoined("ann");
        proxy.holdSubscribes(true);

        // when bob opens the room on node-2, whose subscription is held, and carl follows him there, each
        // join going to Redis (ann hears them) before node-2 hears the channel
        Visitor bob = join(node2, "bob");
        ann.awaitToldJoined("bob");
        assertThat(bob.here()).as("the list bob is shown").containsExactly("ann", "bob");
        Visitor carl = join(node2, "carl");
        ann.awaitToldJoined("carl");
        proxy.holdSubscribes(false);

        // then bob, whose list lacked carl, is told carl joined, once
        bob.awaitToldJoined("carl");
        Visitor dave = join(node1, "dave"); // a newcomer heard everywhere: after him, nothing is on its way
        bob.awaitToldJoined("dave");
        assertThat(bob.toldJoined("carl")).as("notices bob was sent: %s", bob.notices()).isEqualTo(1);
        Await.until(() -> bob.here().equals(List.of("ann", "bob", "carl", "dave")) ? true : null,
                "bob's list to show everyone", () -> "it shows " + bob.here());
        for (Visitor visitor : List.of(ann, bob, carl, dave)) {
            assertThat(visitor.toldJoined("carl")).as("carl's joins told to %s", visitor.name()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void a_member_is_told_once_of_someone_who_joined_through_another_node_while_the_room_started() {
        proxy.holdSubscribes(true);
        // given bob, on node-2, whose room does not hear its channel yet
        Visitor bob = join(node2, "bob");
        Await.until(() -> bob.here().equals(List.of("bob")) ? true : null, "bob's list", () -> "it shows " + bob.here());

        // when ann joins through node-1 meanwhile
        Visitor ann = join(node1, "ann");
        ann.awaitToldJoined("ann");
        proxy.holdSubscribes(false);

        // then bob is told she joined, once
        bob.awaitToldJoined("ann");
        Visitor dave = join(node1, "dave");
        bob.awaitToldJoined("dave");
        assertThat(bob.toldJoined("ann")).as("notices bob was sent: %s", bob.notices()).isEqualTo(1);
        assertThat(dave.toldJoined("ann")).as("notices dave was sent: %s", dave.notices()).isZero();
    }

    private static Visitor join(Rooms node, String name) {
        Visitor visitor = new Visitor(name);
        node.get(ROOM).join(visitor, -1);
        return visitor;
    }

    /** A page in the room, as the room sees it: what it was sent, read as notices and lists. */
    static final class Visitor implements Member {

        private final List<String> received = new CopyOnWriteArrayList<>();
        private volatile Author author;

        Visitor(String name) {
            this.author = Author.of("u-" + name, name);
        }

        String name() {
            return author.name();
        }

        List<String> notices() {
            return received.stream().filter(f -> f.startsWith("notice:")).toList();
        }

        /** How many times "... joined" notices named the user. */
        long toldJoined(String name) {
            return notices().stream()
                    .filter(n -> n.endsWith(" joined"))
                    .flatMap(n -> Arrays.stream(n.substring("notice:".length(), n.length() - " joined".length()).split(",")))
                    .filter(name::equals)
                    .count();
        }

        void awaitToldJoined(String name) {
            Await.until(() -> toldJoined(name) > 0 ? true : null, name() + " to be told " + name + " joined",
                    () -> name() + " was sent " + received);
        }

        /** The last list of who is here that the page was sent. */
        List<String> here() {
            List<String> lists = received.stream().filter(f -> f.startsWith("presence:")).toList();
            return lists.isEmpty() ? List.of() : List.of(lists.getLast().substring("presence:".length()).split(","));
        }

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public Author author() {
            return author;
        }

        @Override
        public void rename(Author renamed) {
            author = renamed;
        }

        @Override
        public void send(Fragment fragment) {
            received.add(new String(fragment.html(), StandardCharsets.UTF_8));
        }

        @Override
        public void close(CloseReason reason) {}
    }

    /** Views as plain tokens: "notice:ann,bob joined" names every user, "presence:ann,bob" lists who is here. */
    static final class NoticeViews implements RoomViews {

        @Override
        public Fragment event(RoomEvent event) {
            return Fragment.of("event:" + event.seq());
        }

        @Override
        public Fragment missed(List<RoomEvent> events) {
            return Fragment.of("missed:" + events.size());
        }

        @Override
        public Fragment history(List<Message> messages, boolean replace) {
            return Fragment.of("history:" + messages.size());
        }

        @Override
        public Fragment presence(List<Author> here) {
            return Fragment.of("presence:" + here.stream().map(Author::name).collect(Collectors.joining(",")));
        }

        @Override
        public Fragment notice(String text) {
            return Fragment.of("notice:" + text);
        }

        @Override
        public Fragment usersNotice(List<String> users, String what) {
            return Fragment.of("notice:" + String.join(",", users) + " " + what);
        }

        @Override
        public Fragment renameNotice(String oldName, String newName) {
            return Fragment.of("notice:" + oldName + " is now " + newName);
        }

        @Override
        public Fragment error(String text) {
            return Fragment.of("error:" + text);
        }

        @Override
        public Fragment typing(java.util.List<Author> typists) {
            return Fragment.of("typing:" + String.join(",", typists.stream().map(Author::name).toList()));
        }

        @Override
        public Fragment notSent(String text, String clientId, long retryAfterMillis) {
            return Fragment.of("error:" + text);
        }
    }
}
