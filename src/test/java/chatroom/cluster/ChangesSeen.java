package chatroom.cluster;

import chatroom.Await;
import chatroom.room.Author;
import chatroom.room.PresenceBoard.Change;
import chatroom.room.PresenceBoard.Rename;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A room's watcher for tests: every change it is told, as lines such as {@code "joined ann"}, {@code
 * "left bob"} or {@code "renamed ann to anna"}, in the order it was told. Empty changes (read who is
 * here again) are counted apart.
 */
final class ChangesSeen implements Consumer<Change> {

    private final List<String> lines = new ArrayList<>();
    private int refreshes;

    @Override
    public synchronized void accept(Change change) {
        if (change.joined().isEmpty() && change.left().isEmpty() && change.renamed().isEmpty()) {
            refreshes++;
            return;
        }
        for (Author user : change.joined()) {
            lines.add("joined " + user.name());
        }
        for (Author user : change.left()) {
            lines.add("left " + user.name());
        }
        for (Rename rename : change.renamed()) {
            lines.add("renamed " + rename.oldName() + " to " + rename.user().name());
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized boolean saw(String line) {
        return lines.contains(line);
    }

    synchronized long count(String line) {
        return lines.stream().filter(line::equals).count();
    }

    synchronized int refreshes() {
        return refreshes;
    }

    /** Waits until each watcher's channel is subscribed: a board tells a watcher so with an empty change. */
    static void awaitSubscribed(ChangesSeen... watchers) {
        for (ChangesSeen watcher : watchers) {
            Await.until(() -> watcher.refreshes() > 0, "a room's channel to be subscribed");
        }
    }

    /** {@link Await#until} for a condition, with a timeout of its own. */
    static void await(BooleanSupplier condition, String what, Duration timeout) {
        Await.until(() -> condition.getAsBoolean() ? Boolean.TRUE : null, what, timeout);
    }
}
