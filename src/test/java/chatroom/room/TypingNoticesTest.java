package chatroom.room;

import static org.assertj.core.api.Assertions.assertThat;

import chatroom.Await;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * People typing at once cost members one frame per gathering, not one per signal: the first goes out at
 * once, the rest together when the gathering ends, without those whose message arrived meanwhile.
 */
class TypingNoticesTest {

    private final ScheduledExecutorService roomThread = Executors.newSingleThreadScheduledExecutor();
    private final Members members = new Members(RoomName.parse("typists"), roomThread);
    private final TypingNotices notices = new TypingNotices(members, new FakeViews(), roomThread);
    private final FakeMember dave = new FakeMember("u4", "dave");
    private final Author ann = Author.of("u1", "ann");
    private final Author bob = Author.of("u2", "bob");
    private final Author carol = Author.of("u3", "carol");

    @AfterEach
    void stop() {
        roomThread.shutdownNow();
    }

    @Test
    void the_first_typist_is_shown_at_once_the_others_together_a_gathering_later_without_one_whose_message_came() throws Exception {
        onRoomThread(() -> members.add(dave));

        long started = System.nanoTime();
        onRoomThread(() -> {
            notices.typing(ann);
            notices.typing(bob);
            notices.typing(carol);
            notices.typing(bob); // again: still one entry
            notices.posted(carol.id());
            notices.typing(ann);
        });
        assertThat(dave.received).as("the first, at once").containsExactly("typing:ann");

        Await.until(() -> dave.received.size() == 2 ? true : null, "the gathered frame", () -> "got " + dave.received);
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TypingNotices.GATHER.toNanos());
        assertThat(dave.received.get(1)).isEqualTo("typing:bob,ann");

        // later typists are shown too, whether a gathering is still open or not
        Await.until(() -> {
            onRoomThread(() -> notices.typing(carol));
            return dave.received.size() == 3 ? true : null;
        }, "carol to be shown");
        assertThat(dave.received).last().isEqualTo("typing:carol");
    }

    private void onRoomThread(Runnable task) {
        try {
            roomThread.submit(task).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
