package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chatroom.Await;
import chatroom.cluster.InProcessPresence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A storm of pages catching up from the store (a node restarted, and every page reconnects with a long
 * gap) must not read and render every history at once: that is what ran a node out of heap. Catch-ups
 * past the node's limit wait their turn, and every page still gets its history.
 */
class CatchUpLimitTest {

    private static final int LIMIT = 2;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
    private final RoomSettings settings =
            new RoomSettings(100, 5, 10, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(20));
    private final HeldReads store = new HeldReads();
    private final Rooms rooms = new Rooms(new RoomServices(store, new FakeFeed(), new InProcessPresence(), new FakeViews(),
            settings, Clock.systemUTC(), new CatchUps(LIMIT), () -> GuestPolicy.POST), () -> thread);

    @AfterEach
    void stop() {
        rooms.close();
        thread.shutdownNow();
    }

    @Test
    void no_more_histories_are_read_at_once_than_the_limit_and_every_page_gets_its_own() {
        // given six rooms with a message each, none of them awake
        for (int i = 0; i < 6; i++) {
            store.memory.append(new NewMessage("room-" + i, "u0", "ann", "hello " + i, Instant.now(), null)).join();
        }
        // when a page joins each of them at once, each needing its history from the store
        List<FakeMember> pages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FakeMember page = new FakeMember("u" + (i + 1), "page" + i);
            pages.add(page);
            rooms.get(RoomName.parse("room-" + i)).join(page, -1);
        }
        // then only LIMIT reads are asked of the store; each answered read lets the next one start
        for (int answered = 0; answered < 6; answered++) {
            Await.until(() -> store.held.size() == Math.min(LIMIT, 6 - store.answered.get()) ? true : null,
                    "the next reads", () -> "reads in flight: " + store.held.size() + " after " + store.answered.get() + " answered");
            assertThat(store.mostAtOnce.get()).isLessThanOrEqualTo(LIMIT);
            store.answerOne();
        }
        for (int i = 0; i < 6; i++) {
            FakeMember page = pages.get(i);
            String history = "hello " + i;
            Await.until(() -> page.received.stream().anyMatch(f -> f.startsWith("history[") && f.contains(history)) ? true : null,
                    "page " + i + "'s history", () -> "it got " + page.received);
        }
        assertThat(store.mostAtOnce.get()).isEqualTo(LIMIT);
    }

    @Test
    void a_page_that_leaves_while_waiting_its_turn_costs_no_read() {
        IntStream.range(0, 4).forEach(i ->
                store.memory.append(new NewMessage("wait-" + i, "u0", "ann", "hi", Instant.now(), null)).join());
        FakeMember first = new FakeMember("u1", "first");
        FakeMember second = new FakeMember("u2", "second");
        FakeMember gone = new FakeMember("u3", "gone");
        rooms.get(RoomName.parse("wait-0")).join(first, -1);
        rooms.get(RoomName.parse("wait-1")).join(second, -1);
        rooms.get(RoomName.parse("wait-2")).join(gone, -1);
        Await.until(() -> store.held.size() == LIMIT, "the first two reads");
        // when the third page leaves before its turn comes
        rooms.get(RoomName.parse("wait-2")).leave(gone);
        store.answerOne();
        store.answerOne();
        // then its read is never asked for, and the limit is free again for a newcomer
        FakeMember later = new FakeMember("u4", "later");
        rooms.get(RoomName.parse("wait-3")).join(later, -1);
        Await.until(() -> store.held.size() == 1, "the newcomer's read");
        store.answerOne();
        assertThat(store.reads.get()).isEqualTo(3);
        Await.until(() -> later.received.stream().anyMatch(f -> f.startsWith("history[")) ? true : null,
                "the newcomer's history", () -> "it got " + later.received);
    }

    @Test
    void pages_joining_and_leaving_at_any_moment_on_several_threads_leave_no_catch_up_running_or_waiting() {
        // given rooms on three threads, a store answering on its own threads after a random while, and a
        // limit of 2, so that most catch-ups wait their turn
        List<ScheduledExecutorService> threads = List.of(
                Executors.newSingleThreadScheduledExecutor(), Executors.newSingleThreadScheduledExecutor(),
                Executors.newSingleThreadScheduledExecutor());
        ScheduledExecutorService readers = Executors.newScheduledThreadPool(2);
        ForwardingStore slowStore = new ForwardingStore() {
            @Override
            public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
                return late(() -> memory.before(room, beforeSeq, limit).join());
            }

            @Override
            public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
                return late(() -> memory.after(room, afterSeq, limit).join());
            }

            private <T> CompletableFuture<T> late(Supplier<T> read) {
                CompletableFuture<T> answer = new CompletableFuture<>();
                readers.schedule(() -> answer.complete(read.get()),
                        ThreadLocalRandom.current().nextInt(3), TimeUnit.MILLISECONDS);
                return answer;
            }
        };
        CatchUps catchUps = new CatchUps(LIMIT);
        AtomicInteger next = new AtomicInteger();
        Rooms busy = new Rooms(new RoomServices(slowStore, new FakeFeed(), new InProcessPresence(), new FakeViews(), settings,
                Clock.systemUTC(), catchUps, () -> GuestPolicy.POST), () -> threads.get(next.getAndIncrement() % threads.size()));
        Random random = new Random(7);
        Map<FakeMember, Integer> staying = new HashMap<>();
        try {
            // when pages join 40 rooms, some from scratch, some with a gap, some leaving at once, some
            // after a while, while messages are sent
            List<FakeMember> leaving = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int r = random.nextInt(40);
                RoomHost room = busy.get(RoomName.parse("busy-" + r));
                FakeMember page = new FakeMember("u" + i, "page" + i);
                room.join(page, random.nextBoolean() ? -1 : random.nextInt(5));
                switch (random.nextInt(4)) {
                    case 0 -> room.leave(page);
                    case 1 -> leaving.add(page);
                    default -> staying.put(page, r);
                }
                if (random.nextInt(3) == 0) {
                    room.handle(page, new Command.Say("hello " + i, null));
                }
                if (random.nextInt(10) == 0 && !leaving.isEmpty()) {
                    FakeMember gone = leaving.remove(random.nextInt(leaving.size()));
                    for (int any = 0; any < 40; any++) { // a no-op but in its own room
                        busy.get(RoomName.parse("busy-" + any)).leave(gone);
                    }
                }
            }
            // then every catch-up ends and frees its turn…
            Await.until(() -> catchUps.running() == 0 && catchUps.waiting() == 0 ? true : null, "no catch-up left",
                    () -> catchUps.running() + " running, " + catchUps.waiting() + " waiting");
            // …and every page still here gets the next message of its room (none is left catching up)
            Map<Integer, FakeMember> speakers = new HashMap<>();
            staying.forEach((page, r) -> speakers.putIfAbsent(r, page));
            speakers.forEach((r, page) -> busy.get(RoomName.parse("busy-" + r)).handle(page, new Command.Say("last in " + r, null)));
            staying.forEach((page, r) -> Await.until(
                    () -> page.received.stream().anyMatch(f -> f.contains(":last in " + r)) ? true : null,
                    page.author().name() + " to get the last message of busy-" + r, () -> "it got " + page.received));
        } finally {
            busy.close();
            threads.forEach(ScheduledExecutorService::shutdownNow);
            readers.shutdownNow();
        }
    }

    @Test
    void a_turn_that_does_not_come_is_logged_once_per_long_wait_saying_how_many_run_and_wait() {
        Logger logger = (Logger) LoggerFactory.getLogger(CatchUps.class);
        ListAppender<ILoggingEvent> lines =
                new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            AtomicLong now = new AtomicLong();
            long longWait = CatchUps.LONG_WAIT.toNanos();
            CatchUps one = new CatchUps(1, now::get);
            // given the only turn taken by a catch-up that never ends, and a page waiting since 0
            assertThat(one.startNowOr(() -> {})).isTrue();
            assertThat(one.startNowOr(() -> {})).isFalse();
            // when more pages come: nothing is said before the long wait…
            now.set(longWait - 1);
            one.startNowOr(() -> {});
            assertThat(lines.list).isEmpty();
            // …then once, at the long wait, and not again before another has passed
            now.set(longWait);
            one.startNowOr(() -> {});
            now.set(longWait + longWait / 2);
            one.startNowOr(() -> {});
            assertThat(lines.list).extracting(e -> e.getFormattedMessage()).containsExactly(
                    "catch-ups: the oldest of 2 waiting has waited 10000 ms for a turn; 1 running, the limit is 1"
                            + " (a catch-up that never ended?)");
            now.set(2 * longWait);
            one.finished();
            assertThat(lines.list).hasSize(2);
        } finally {
            logger.detachAppender(lines);
        }
    }

    /** A store whose history reads wait until the test answers them, one at a time, oldest first. */
    private static final class HeldReads extends ForwardingStore {
        final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Override
        public CompletableFuture<List<Message>> before(String room, long beforeSeq, int limit) {
            return held(super.before(room, beforeSeq, limit));
        }

        @Override
        public CompletableFuture<List<RoomEvent>> after(String room, long afterSeq, int limit) {
            return held(super.after(room, afterSeq, limit));
        }

        private <T> CompletableFuture<T> held(CompletableFuture<T> read) {
            reads.incrementAndGet();
            CompletableFuture<T> answer = new CompletableFuture<>();
            held.add(() -> read.whenComplete((value, error) -> {
                if (error != null) {
                    answer.completeExceptionally(error);
                } else {
                    answer.complete(value);
                }
            }));
            mostAtOnce.accumulateAndGet(held.size(), Math::max);
            return answer;
        }

        void answerOne() {
            Await.until(() -> !held.isEmpty(), "a read to answer");
            answered.incrementAndGet();
            held.poll().run();
        }
    }
}
