package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The room's rules and ordering, with hand-written fakes for sockets, views and (sometimes) the store. */
class RoomTest {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(20));
    private final FakeFeed feed = new FakeFeed();
    private Rooms rooms;

    private RoomHost room(MessageStore store, String name) {
        return room(store, name, settings);
    }

    private RoomHost room(MessageStore store, String name, RoomSettings settings) {
        rooms = new Rooms(RoomServices.of(store, feed, new InProcessPresence(), new FakeViews(), settings, Clock.systemUTC()),
                () -> thread);
        return rooms.get(RoomName.parse(name));
    }

    /** A member who has sent m1..mN and seen them all come back. */
    private static FakeMember sender(RoomHost host, int messages) {
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        for (int i = 1; i <= messages; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
        }
        Await.until(() -> ann.seqs().size() == messages, "ann's own messages");
        return ann;
    }

    @AfterEach
    void stop() {
        rooms.close();
        thread.shutdownNow();
    }

    @Test
    void a_member_that_joins_while_its_history_is_read_gets_every_message_once_in_order() {
        GatedStore store = new GatedStore();
        RoomHost host = room(store, "gated");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, 0);
        host.handle(ann, new Command.Say("one", null)); // stored before the gate opens…
        Await.until(() -> store.memory.after("gated", 0, 10).join().size() == 1, "the first message to be stored");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(bob, -1); // …bob's history read sees "one" but waits at the gate
        host.handle(ann, new Command.Say("two", null));
        host.handle(ann, new Command.Say("three", null));
        Await.until(() -> store.memory.after("gated", 0, 10).join().size() == 3, "all messages to be stored");

        store.gate.countDown();

        Await.until(() -> bob.seqs().size() >= 3, "bob to catch up; got " + bob.received);
        Await.until(() -> ann.seqs().size() >= 3, "ann to get all three; got " + ann.received);
        assertThat(bob.seqs()).containsExactly(1L, 2L, 3L);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void members_whose_first_history_read_is_late_get_every_message_sent_meanwhile_their_own_included() {
        // the shape of the cluster bench's live room on a node whose reads lagged: pages join, showing
        // nothing yet, and chat at once; their history reads answer only after all of it is stored
        LateReadStore store = new LateReadStore();
        RoomHost host = room(store, "lagging");
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(ann, -1);
        host.join(bob, -1);
        for (int i = 1; i <= 4; i++) {
            host.handle(ann, new Command.Say("ann" + i, null));
            host.handle(bob, new Command.Say("bob" + i, null));
        }
        Await.until(() -> store.memory.after("lagging", 0, 20).join().size() == 8, "all eight to be stored");
        CompletableFuture.runAsync(() -> {}, thread).join(); // the room has delivered them (held for ann and bob)

        store.gate.countDown();

        // every message after the page they joined on, in order, once: not just the latest page (5 here)
        Await.until(() -> ann.seqs().size() >= 8 && bob.seqs().size() >= 8 ? true : null, "all eight for both",
                () -> "ann got " + ann.received + "; bob got " + bob.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(bob.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void a_newcomer_whose_history_is_read_after_its_own_burst_gets_all_of_it_once_in_order() {
        // a store whose reader runs late (a starved thread): the history is read only when the gate opens
        LateReadStore store = new LateReadStore();
        RoomHost host = room(store, "late");
        FakeMember ann = new FakeMember("u1", "ann");
        // given ann's page, showing nothing yet, sends a burst before its history is read
        host.join(ann, -1);
        for (int i = 1; i <= 8; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
        }
        Await.until(() -> store.memory.after("late", 0, 20).join().size() == 8, "the burst to be stored");
        // the store published each on the room's thread as it stored it; this runs after the room took them in
        CompletableFuture.runAsync(() -> {}, thread).join();

        // when the read runs at last
        store.gate.countDown();

        // then ann's history is the page the room stood at when she joined (empty here), and her burst,
        // delivered while she waited, follows it: not the latest page as it stands when the read runs, which
        // would have dropped m1..m3 for her although they came after her page
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("history[")) ? true : null, "ann's history", () -> "got " + ann.received);
        host.handle(ann, new Command.Say("after", null));
        Await.until(() -> ann.seqs().contains(9L) ? true : null, "ann's next message", () -> "got " + ann.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void a_reconnecting_member_gets_exactly_what_came_after_its_last_message() {
        InMemoryMessageStore store = new InMemoryMessageStore();
        RoomHost host = room(store, "resume");
        sender(host, 8);

        FakeMember back = new FakeMember("u2", "bob");
        host.join(back, 5);

        Await.until(() -> back.received.stream().anyMatch(f -> f.startsWith("replay[")), "the replay");
        assertThat(back.seqs()).containsExactly(6L, 7L, 8L);
    }

    @Test
    void after_a_late_first_read_the_room_still_serves_the_next_newcomer_from_memory() {
        LateReadStore store = new LateReadStore();
        RoomHost host = room(store, "latecache");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1);
        for (int i = 1; i <= 8; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
        }
        Await.until(() -> store.memory.after("latecache", 0, 20).join().size() == 8, "the burst to be stored");
        CompletableFuture.runAsync(() -> {}, thread).join();
        store.gate.countDown();
        Await.until(() -> ann.seqs().size() == 8 ? true : null, "ann's eight", () -> "got " + ann.received);
        int readsBefore = store.reads.get();

        // ann's history ended before her burst; what the room delivered since carries it on to the cursor
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(bob, -1);

        Await.until(() -> bob.seqs().size() == 5 ? true : null, "bob's page", () -> "got " + bob.received);
        assertThat(bob.seqs()).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(store.reads.get()).isEqualTo(readsBefore);
    }

    @Test
    void a_reconnecting_member_whose_read_is_late_gets_its_gap_and_everything_after_even_past_the_replay_limit() {
        LateReadStore store = new LateReadStore();
        store.late = false;
        RoomHost host = room(store, "slowreplay");
        FakeMember ann = sender(host, 3);
        store.late = true;
        // given bob's page shows m1 and its replay read runs late
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(bob, 1);
        CompletableFuture.runAsync(() -> {}, thread).join(); // bob is catching up
        // when 12 more come meanwhile: more than the replay limit (10), but all after bob came back
        for (int i = 4; i <= 15; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
        }
        Await.until(() -> store.memory.after("slowreplay", 0, 20).join().size() == 15, "all fifteen to be stored");
        CompletableFuture.runAsync(() -> {}, thread).join();
        store.gate.countDown();

        // then he gets what he missed before he came back, m2 and m3, and everything since, not a latest page
        Await.until(() -> bob.seqs().size() >= 14 ? true : null, "bob's fourteen", () -> "got " + bob.received);
        assertThat(bob.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(2, 15).boxed().toList());
        assertThat(bob.received).noneMatch(f -> f.startsWith("notice:You missed"));
    }

    @Test
    void a_member_that_missed_more_than_the_replay_limit_gets_the_latest_history_instead() {
        InMemoryMessageStore store = new InMemoryMessageStore();
        RoomHost host = room(store, "gap");
        sender(host, 30);

        FakeMember back = new FakeMember("u2", "bob");
        host.join(back, 2); // missed 28, the limit is 10

        Await.until(() -> back.received.stream().anyMatch(f -> f.startsWith("history[")), "the history");
        assertThat(back.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(26, 30).boxed().toList());
        Await.until(() -> back.received.contains(
                "notice:You missed 23 messages while disconnected; load older messages above to read them."),
                "the notice of what was missed; got " + back.received);
    }

    @Test
    void a_message_that_cannot_be_stored_is_reported_to_its_sender_and_the_room_goes_on() {
        boolean[] broken = {true};
        MessageStore flaky = new ForwardingStore() {
            @Override
            public CompletableFuture<Message> append(NewMessage m) {
                return broken[0] ? CompletableFuture.failedFuture(new IllegalStateException("disk full")) : super.append(m);
            }
        };
        RoomHost host = room(flaky, "flaky");
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(ann, 0);
        host.join(bob, 0);

        host.handle(ann, new Command.Say("lost?", null));
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("error:") && f.contains("not sent")),
                "the error for ann");
        broken[0] = false;
        host.handle(ann, new Command.Say("again", null));

        Await.until(() -> bob.seqs().size() == 1, "bob to get the retried message");
        assertThat(bob.received).noneMatch(f -> f.startsWith("error:"));
    }

    @Test
    void a_sender_the_store_does_not_answer_in_time_is_told_not_sent_once_and_a_late_commit_is_still_shown_to_all() {
        java.util.concurrent.CountDownLatch thaw = new java.util.concurrent.CountDownLatch(1);
        MessageStore stuck = new ForwardingStore() {
            @Override
            public CompletableFuture<Message> append(NewMessage m) {
                // a writer stuck in a socket read: it answers only once the test lets it
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        thaw.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return super.append(m).join();
                });
            }
        };
        RoomHost host = room(stuck, "stuck", settings.withStoreTimeout(Duration.ofMillis(200)));
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(ann, 0);
        host.join(bob, 0);

        host.handle(ann, new Command.Say("late", "cid-1"));
        Await.until(() -> ann.received.stream().anyMatch(f -> f.startsWith("error:") && f.contains("within")),
                "ann to be told her message was not sent; got " + ann.received);
        assertThat(ann.received).filteredOn(f -> f.startsWith("error:")).singleElement().asString()
                .contains("not sent").contains("[cid cid-1]");
        thaw.countDown();

        Await.until(() -> bob.seqs().size() == 1 && ann.seqs().size() == 1, "the late commit to reach both");
        host.handle(ann, new Command.Say("marker", "cid-2"));
        Await.until(() -> ann.seqs().size() == 2, "the marker");
        assertThat(ann.received).as("told once").filteredOn(f -> f.startsWith("error:")).hasSize(1);
        assertThat(bob.received).noneMatch(f -> f.startsWith("error:"));
    }

    @Test
    void a_message_whose_commit_is_held_reaches_no_member_until_it_is_committed_then_each_once() {
        CountDownLatch commit = new CountDownLatch(1);
        AtomicInteger held = new AtomicInteger();
        MessageStore store = new ForwardingStore() {
            @Override
            public CompletableFuture<Message> append(NewMessage m) {
                if (!m.text().equals("held")) {
                    return super.append(m);
                }
                held.incrementAndGet();
                // a commit that takes as long as the test likes: the message is stored only once the gate opens
                return CompletableFuture.runAsync(() -> awaitQuietly(commit)).thenCompose(v -> super.append(m));
            }
        };
        RoomHost host = room(store, "held");
        RoomHost beside = rooms.get(RoomName.parse("beside"));
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        FakeMember cy = new FakeMember("u3", "cy");
        host.join(ann, 0);
        host.join(bob, 0);
        beside.join(cy, 0);

        // when ann's message is being committed
        host.handle(ann, new Command.Say("held", null));
        Await.until(() -> held.get() == 1, "the append to be under way");
        // (the marker: a message of another room on the same thread, stored and delivered meanwhile)
        beside.handle(cy, new Command.Say("marker", null));
        Await.until(() -> cy.seqs().size() == 1, "the marker; got " + cy.received);
        CompletableFuture.runAsync(() -> {}, thread).join();

        // then no member has it yet
        assertThat(ann.seqs()).isEmpty();
        assertThat(bob.seqs()).isEmpty();

        // and once it is committed, every member gets it once, before what comes after it
        commit.countDown();
        Await.until(() -> bob.seqs().size() == 1, "bob to get the committed message; got " + bob.received);
        host.handle(bob, new Command.Say("after", null));
        Await.until(() -> ann.seqs().size() >= 2 && bob.seqs().size() >= 2 ? true : null, "both messages for both",
                () -> "ann got " + ann.received + "; bob got " + bob.received);
        assertThat(ann.seqs()).containsExactly(1L, 2L);
        assertThat(bob.seqs()).containsExactly(1L, 2L);
        assertThat(ann.received.stream().filter(f -> f.contains("msg:1:held")).count()).isEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void presence_lists_each_user_once_and_tells_of_joins_leaves_and_renames() {
        RoomHost host = room(new InMemoryMessageStore(), "people");
        FakeMember annTab1 = new FakeMember("u1", "ann");
        FakeMember annTab2 = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(annTab1, 0);
        host.join(annTab2, 0);
        host.join(bob, 0);
        Await.until(() -> bob.received.contains("presence:ann,bob"), "both listed once; got " + bob.received);

        host.leave(annTab2);
        host.handle(annTab1, new Command.Rename("anna"));
        Await.until(() -> bob.received.contains("notice:ann is now anna"), "the rename notice");
        Await.until(() -> bob.received.contains("presence:anna,bob"), "the renamed list");
        assertThat(bob.received).noneMatch(f -> f.equals("notice:ann left"));

        host.leave(annTab1);
        Await.until(() -> bob.received.contains("presence:bob"), "ann gone; got " + bob.received);
        assertThat(bob.received).contains("notice:anna left");
    }

    @Test
    void once_the_room_knows_its_latest_messages_joins_and_reconnects_are_served_without_reading_the_store() {
        AtomicInteger reads = new AtomicInteger();
        MessageStore counting = new ForwardingStore() {
            @Override
            public CompletableFuture<List<Message>> before(String r, long b, int l) {
                reads.incrementAndGet();
                return super.before(r, b, l);
            }

            @Override
            public CompletableFuture<List<RoomEvent>> after(String r, long a, int l) {
                reads.incrementAndGet();
                return super.after(r, a, l);
            }
        };
        RoomHost host = room(counting, "cached");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1); // the first join reads the latest history from the store
        for (int i = 1; i <= 8; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
        }
        Await.until(() -> ann.seqs().size() == 8, "ann's messages");
        int readsBefore = reads.get();

        FakeMember bob = new FakeMember("u2", "bob");
        host.join(bob, -1);
        FakeMember back = new FakeMember("u3", "cat");
        host.join(back, 6);

        Await.until(() -> bob.seqs().size() == 5 && back.seqs().size() == 2, "both to be served; got "
                + bob.received + " / " + back.received);
        assertThat(bob.seqs()).containsExactly(4L, 5L, 6L, 7L, 8L); // the last 5 (the history setting)
        assertThat(back.seqs()).containsExactly(7L, 8L);
        assertThat(reads.get()).isEqualTo(readsBefore);
        host.handle(ann, new Command.Say("m9", null));
        Await.until(() -> bob.seqs().size() == 6 && back.seqs().size() == 3, "the next live message");
    }

    @Test
    void a_user_renaming_again_and_again_costs_the_room_one_notice_per_update() {
        RoomHost host = room(new InMemoryMessageStore(), "renames");
        FakeMember ann = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(ann, 0);
        host.join(bob, 0);
        Await.until(() -> bob.received.contains("presence:ann,bob"), "both in");

        for (int i = 1; i <= 50; i++) {
            host.handle(ann, new Command.Rename("ann" + i));
        }

        Await.until(() -> bob.received.stream().anyMatch(f -> f.endsWith(" is now ann50")), "the last name; got " + bob.received);
        List<String> notices = bob.received.stream().filter(f -> f.contains(" is now ")).toList();
        assertThat(notices).hasSizeLessThan(10);
        assertThat(notices.getFirst()).startsWith("notice:ann is now ");
    }

    @Test
    void a_member_joining_through_a_host_the_sweeper_has_just_removed_still_joins_the_room() {
        RoomSettings quick = new RoomSettings(100, 5, 10, Duration.ofMillis(20), Duration.ofMillis(10), Duration.ofMillis(20));
        rooms = new Rooms(RoomServices.of(new InMemoryMessageStore(), feed, new InProcessPresence(), new FakeViews(), quick,
                Clock.systemUTC()), () -> thread);
        RoomHost stale = rooms.get(RoomName.parse("swept"));
        Await.until(() -> rooms.get(RoomName.parse("swept")) != stale, "the empty host to be removed");

        FakeMember ann = new FakeMember("u1", "ann"); // its upgrade began before the sweep
        stale.join(ann, 0);
        stale.handle(ann, new Command.Say("still here", null));

        Await.until(() -> ann.seqs().size() == 1, "ann's message; got " + ann.received);
        Await.until(() -> rooms.busiest(10).size() == 1, "the lobby to count ann");
    }

    @Test
    void a_second_tab_of_a_user_already_here_is_shown_who_is_here() {
        RoomHost host = room(new InMemoryMessageStore(), "tabs");
        FakeMember annTab1 = new FakeMember("u1", "ann");
        FakeMember bob = new FakeMember("u2", "bob");
        host.join(annTab1, 0);
        host.join(bob, 0);
        Await.until(() -> annTab1.received.contains("presence:ann,bob"), "both in");

        FakeMember annTab2 = new FakeMember("u1", "ann");
        host.join(annTab2, 0);

        Await.until(() -> annTab2.received.contains("presence:ann,bob"), "the list in the new tab; got " + annTab2.received);
        assertThat(bob.received).noneMatch(f -> f.equals("notice:ann joined") && bob.received.indexOf(f) != bob.received.lastIndexOf(f));
    }

    @Test
    void a_crowd_arriving_costs_each_member_an_update_per_spacing_not_one_per_arrival() {
        RoomHost host = room(new InMemoryMessageStore(), "crowd");
        FakeMember first = new FakeMember("u0", "ann");
        host.join(first, 0);
        Await.until(() -> first.received.contains("presence:ann"), "ann's own list");

        // 40 arrive over ~0.8 s, one every 20 ms: two delays (10 ms here), so one update per arrival
        // before updates were spaced
        ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor();
        long started = System.nanoTime();
        AtomicInteger arrived = new AtomicInteger();
        AtomicLong lastArrivalNanos = new AtomicLong();
        for (int i = 1; i <= 40; i++) {
            FakeMember member = new FakeMember("u" + i, "user" + i);
            arrivals.schedule(() -> {
                host.join(member, 0);
                lastArrivalNanos.set(System.nanoTime());
                arrived.incrementAndGet();
            }, 20L * i, TimeUnit.MILLISECONDS);
        }
        Await.until(() -> arrived.get() == 40, "all 40 to arrive");
        arrivals.shutdown();
        long arrivingMillis = (lastArrivalNanos.get() - started) / 1_000_000;
        Await.until(() -> first.received.stream().anyMatch(f -> f.startsWith("presence:") && f.split(",").length == 41),
                "the list of all 41; got " + first.received);

        long updates = first.received.stream().filter(f -> f.startsWith("presence:")).count() - 1;
        long spacingMillis = PresenceNotices.PRESENCE_SPACING_DELAYS * settings.presenceDelay().toMillis();
        // one per spacing while they arrive, and the last one after them
        assertThat(updates).isLessThanOrEqualTo(arrivingMillis / spacingMillis + 2).isLessThan(40);
    }

    @Test
    void a_crowd_joining_a_room_while_its_latest_page_is_read_shares_that_one_read() {
        // a room woken by a crowd: nothing of it in memory, and the first read of its latest page is late
        // (a node whose catch-up turns are all taken); every page arriving meanwhile waits for that read
        LateReadStore store = new LateReadStore();
        store.memory.append(new NewMessage("woken", "u9", "zed", "before the crowd", java.time.Instant.now(), null)).join();
        RoomHost host = room(store, "woken");
        List<FakeMember> crowd = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            FakeMember member = new FakeMember("c" + i, "c" + i);
            crowd.add(member);
            host.join(member, -1);
        }
        CompletableFuture.runAsync(() -> {}, thread).join(); // the room has taken every join

        store.gate.countDown();

        Await.until(() -> crowd.stream().allMatch(m -> m.seqs().equals(List.of(1L))) ? true : null,
                "everyone's history", () -> "got " + crowd.stream().map(m -> m.received).toList());
        host.handle(crowd.getFirst(), new Command.Say("after", null));
        Await.until(() -> crowd.stream().allMatch(m -> m.seqs().equals(List.of(1L, 2L))) ? true : null,
                "the message after", () -> "got " + crowd.stream().map(m -> m.received).toList());
        assertThat(store.reads.get()).as("history reads for 30 pages").isEqualTo(1);
    }

    @Test
    void pages_joining_while_messages_flow_and_the_latest_page_is_read_get_every_message_from_their_page_on_once() {
        LateReadStore store = new LateReadStore();
        RoomHost host = room(store, "flowing");
        FakeMember ann = new FakeMember("u1", "ann");
        host.join(ann, -1);
        List<FakeMember> crowd = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            host.handle(ann, new Command.Say("m" + i, null));
            FakeMember member = new FakeMember("c" + i, "c" + i);
            crowd.add(member);
            host.join(member, -1);
        }
        Await.until(() -> store.memory.after("flowing", 0, 50).join().size() == 20, "all twenty stored");

        store.gate.countDown();

        // each page shows the latest page (5 here) as the room stood when it joined, then everything after
        for (FakeMember member : crowd) {
            Await.until(() -> member.seqs().contains(20L) ? true : null, "all twenty delivered",
                    () -> member.author().name() + " got " + member.received);
            List<Long> seqs = member.seqs();
            assertThat(seqs).as(member.received.toString()).doesNotHaveDuplicates().isSorted();
            assertThat(seqs.getLast() - seqs.getFirst() + 1).as("no gap: " + seqs).isEqualTo(seqs.size());
        }
        Await.until(() -> ann.seqs().size() == 20 ? true : null, "ann's own", () -> "ann got " + ann.received);
        assertThat(ann.seqs()).isEqualTo(LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(store.reads.get()).as("one read per page at most").isLessThanOrEqualTo(21);
    }
}
