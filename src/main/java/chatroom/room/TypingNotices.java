package chatroom.room;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who is typing, as this node shows it to a room's members. The first signal after a quiet spell goes out
 * at once; those that come in the {@link #GATHER} after it are gathered, one entry a person, and go out
 * together when it ends, and so on while people type. What typing costs a room is its frames, one to each
 * member per signal, not the signal: with 20 people typing, each saying so every 3 s, members get about one
 * frame a second instead of seven. Someone whose message arrives is taken out of what is gathered: the page
 * stops showing them as typing then, and a late frame must not show them again.
 *
 * <p>Threading: the room host's thread only; the scheduled end of a gathering runs there too.
 */
final class TypingNotices {

    /** How long signals are gathered after one has gone out; well under the 3 s between a typist's signals. */
    static final Duration GATHER = Duration.ofMillis(1000);

    private final Members members;
    private final RoomViews views;
    private final ScheduledExecutorService roomThread;
    /** By user id, in the order they started typing during the current gathering. */
    private final Map<String, Author> gathered = new LinkedHashMap<>();
    private boolean gathering;

    TypingNotices(Members members, RoomViews views, ScheduledExecutorService roomThread) {
        this.members = members;
        this.views = views;
        this.roomThread = roomThread;
    }

    /** Someone in the room, on any node, is typing. */
    void typing(Author who) {
        if (gathering) {
            gathered.put(who.id(), who);
            return;
        }
        show(List.of(who));
        startGathering();
    }

    /** A message of theirs arrived: whatever was gathered of them is out of date. */
    void posted(String authorId) {
        gathered.remove(authorId);
    }

    private void startGathering() {
        gathering = true;
        roomThread.schedule(this::gatheringEnded, GATHER.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void gatheringEnded() {
        if (gathered.isEmpty()) {
            gathering = false;
            return;
        }
        List<Author> typists = List.copyOf(gathered.values());
        gathered.clear();
        show(typists);
        startGathering();
    }

    private void show(List<Author> typists) {
        if (members.count() > 0) {
            members.broadcast(views.typing(typists));
            members.flush();
        }
    }
}
