package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * How fragments reach a room's members: what waits for one socket's thread goes out as one frame, in
 * order and within the frame bound; a socket with nothing waiting gets its fragment alone; a thread that
 * falls too far behind has its members closed. The test thread plays the room's thread, and each
 * socket thread is a {@link Loop} that runs its tasks only when the test says.
 */
class MembersTest {

    /** A socket's event loop that is busy until {@link #runAll}: tasks wait in order. */
    private static final class Loop implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
        }
    }

    private final Executor roomThread = Runnable::run;

    private static FakeMember socket(String name, Executor loop) {
        return new FakeMember(name, name) {
            @Override
            public Executor executor() {
                return loop;
            }
        };
    }

    private static Fragment message(long seq) {
        return new Fragment(("msg:" + seq + ":text" + seq + "|").getBytes(), seq);
    }

    @Test
    void messages_waiting_for_a_busy_thread_reach_each_of_its_members_as_one_frame_in_order() {
        Loop loop = new Loop();
        Members members = new Members(RoomName.parse("busy"), roomThread);
        FakeMember ann = socket("ann", loop);
        FakeMember bob = socket("bob", loop);
        members.add(ann);
        members.add(bob);

        for (long seq = 1; seq <= 5; seq++) {
            members.broadcast(message(seq));
        }
        members.broadcast(Fragment.of("notice:carol joined|"));
        assertThat(loop.tasks).as("one write posted for the whole burst").hasSize(1);
        loop.runAll();

        for (FakeMember member : List.of(ann, bob)) {
            assertThat(member.received).containsExactly(
                    "msg:1:text1|msg:2:text2|msg:3:text3|msg:4:text4|msg:5:text5|notice:carol joined|");
            assertThat(member.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void a_member_whose_thread_is_idle_gets_a_single_message_alone_as_soon_as_its_thread_runs() {
        Loop loop = new Loop();
        Members members = new Members(RoomName.parse("quiet"), roomThread);
        FakeMember ann = socket("ann", loop);
        members.add(ann);

        members.broadcast(message(1));
        loop.runAll();
        members.broadcast(message(2));
        loop.runAll();

        assertThat(ann.received).containsExactly("msg:1:text1|", "msg:2:text2|");
    }

    @Test
    void a_member_on_the_rooms_own_thread_gets_what_the_rooms_task_sent_as_one_frame_when_the_task_ends() {
        Loop roomLoop = new Loop();
        Members members = new Members(RoomName.parse("own"), roomLoop);
        FakeMember ann = socket("ann", roomLoop);
        members.add(ann);

        roomLoop.execute(() -> {
            members.broadcast(message(1));
            members.broadcast(message(2));
            assertThat(ann.received).as("nothing before the task ends").isEmpty();
            members.flush(); // as the room's host does at the end of each task
            assertThat(ann.received).containsExactly("msg:1:text1|msg:2:text2|");
        });
        roomLoop.runAll(); // the task, then the write it posted, which finds nothing left

        assertThat(ann.received).containsExactly("msg:1:text1|msg:2:text2|");
    }

    @Test
    void a_frame_never_holds_more_than_the_bound_and_a_larger_fragment_goes_alone() {
        Loop loop = new Loop();
        Members members = new Members(RoomName.parse("big"), roomThread);
        FakeMember ann = socket("ann", loop);
        members.add(ann);
        int third = Members.MAX_FRAME_BYTES / 3;
        for (long seq = 1; seq <= 7; seq++) {
            members.broadcast(new Fragment(("msg:" + seq + ":" + "x".repeat(third)).getBytes(), seq));
        }
        members.broadcast(new Fragment(("msg:8:" + "y".repeat(2 * Members.MAX_FRAME_BYTES)).getBytes(), 8));
        members.broadcast(message(9));

        loop.runAll();

        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        // 1–2, 3–4, 5–6, then 7 (8 would take it past the bound), 8 alone, 9 (it cannot join 8)
        List<Integer> lengths = ann.received.stream().map(String::length).toList();
        assertThat(lengths).hasSize(6);
        for (int i = 0; i < lengths.size(); i++) {
            if (i != 4) {
                assertThat(lengths.get(i)).as("frame %d", i).isLessThanOrEqualTo(Members.MAX_FRAME_BYTES);
            }
        }
    }

    @Test
    void a_member_catching_up_keeps_its_held_messages_and_what_it_is_sent_alone_stays_in_order() {
        Loop loop = new Loop();
        Members members = new Members(RoomName.parse("join"), roomThread);
        FakeMember ann = socket("ann", loop);
        FakeMember bob = socket("bob", loop);
        members.add(ann);
        members.add(bob);
        members.catchingUp(bob);

        members.broadcast(message(1));
        members.broadcast(message(2));
        List<Fragment> held = members.caughtUp(bob);
        members.send(bob, Fragment.of("history|"));
        held.forEach(fragment -> members.send(bob, fragment));
        members.broadcast(message(3));
        loop.runAll();

        assertThat(ann.seqs()).containsExactly(1L, 2L, 3L);
        assertThat(String.join("", bob.received)).isEqualTo("history|msg:1:text1|msg:2:text2|msg:3:text3|");
    }

    @Test
    void members_on_a_thread_that_cannot_keep_up_are_closed_instead_of_queueing_without_bound() {
        Loop stalled = new Loop(); // never runs
        Loop fine = new Loop();
        int backlogBytes = 256 * 1024;
        Members members = new Members(RoomName.parse("slow"), roomThread, backlogBytes);
        FakeMember stuck = socket("stuck", stalled);
        FakeMember ann = socket("ann", fine);
        members.add(stuck);
        members.add(ann);
        int fragmentBytes = 16 * 1024;

        int sent = 0;
        while (stuck.closed == null && sent < 1000) {
            sent++;
            members.broadcast(new Fragment(("msg:" + sent + ":" + "z".repeat(fragmentBytes)).getBytes(), sent));
            fine.runAll();
        }

        assertThat(stuck.closed).isEqualTo(Member.CloseReason.TOO_SLOW);
        assertThat((long) sent * fragmentBytes).isLessThanOrEqualTo(backlogBytes + 2L * fragmentBytes);
        assertThat(ann.closed).isNull();
        assertThat(ann.seqs()).hasSize(sent);
    }

    @Test
    void a_history_larger_than_the_backlog_bound_still_reaches_a_member_whose_thread_has_nothing_waiting() {
        Loop loop = new Loop();
        int backlogBytes = 64 * 1024;
        Members members = new Members(RoomName.parse("long"), roomThread, backlogBytes);
        FakeMember ann = socket("ann", loop);
        members.add(ann);

        members.send(ann, new Fragment(("replay[" + "z".repeat(4 * backlogBytes) + "]").getBytes(), 0));
        loop.runAll();

        assertThat(ann.closed).as("a page refused its history would reconnect and be refused again, forever").isNull();
        assertThat(ann.received).hasSize(1).first().asString().startsWith("replay[");
    }

    @Test
    void a_fragment_that_found_no_memory_to_encode_is_refused_at_once_for_the_next_members() {
        Fragment fragment = Fragment.of("<p>hello</p>");
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Function<byte[], Object> outOfMemory = html -> {
            attempts.incrementAndGet();
            throw new OutOfMemoryError("Cannot reserve 1024 bytes of direct buffer memory");
        };
        for (int member = 0; member < 3; member++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fragment.wire(outOfMemory))
                    .isInstanceOf(OutOfMemoryError.class);
        }
        assertThat(attempts).as("each attempt makes the JVM collect and wait; one is enough").hasValue(1);
    }

    @Test
    void a_fragment_sent_to_one_member_arrives_between_the_broadcasts_around_it() {
        Loop loop = new Loop();
        Members members = new Members(RoomName.parse("order"), roomThread);
        FakeMember ann = socket("ann", loop);
        FakeMember bob = socket("bob", loop);
        members.add(ann);
        members.add(bob);

        members.broadcast(message(1));
        members.send(ann, Fragment.of("presence:ann,bob|"));
        members.broadcast(message(2));
        loop.runAll();

        assertThat(String.join("", ann.received)).isEqualTo("msg:1:text1|presence:ann,bob|msg:2:text2|");
        assertThat(String.join("", bob.received)).isEqualTo("msg:1:text1|msg:2:text2|");
    }
}
