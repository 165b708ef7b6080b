package chatroom.cluster;

import chatroom.room.Author;
import chatroom.room.PresenceBoard;
import chatroom.room.RoomName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The presence board of a single node: this node's arrivals and departures are the whole truth, so the
 * board is a map per room, and every change goes straight to the room's watcher on the caller's thread.
 *
 * <p>Threading: one lock over the maps; watchers are called outside it.
 */
public final class InProcessPresence implements PresenceBoard {

    private final Map<String, LinkedHashMap<String, Author>> rooms = new HashMap<>();
    private final Map<String, Consumer<Change>> watchers = new HashMap<>();

    @Override
    public void arrived(String room, Author user) {
        Consumer<Change> watcher;
        synchronized (this) {
            if (rooms.computeIfAbsent(room, r -> new LinkedHashMap<>()).putIfAbsent(user.id(), user) != null) {
                return;
            }
            watcher = watchers.get(room);
        }
        tell(watcher, Change.joined(user));
    }

    @Override
    public void departed(String room, Author user) {
        Consumer<Change> watcher;
        Author was;
        synchronized (this) {
            Map<String, Author> here = rooms.get(room);
            was = here == null ? null : here.remove(user.id());
            if (was == null) {
                return;
            }
            if (here.isEmpty()) {
                rooms.remove(room);
            }
            watcher = watchers.get(room);
        }
        tell(watcher, Change.left(was));
    }

    @Override
    public void renamed(String room, Author user, String oldName) {
        Consumer<Change> watcher;
        synchronized (this) {
            Map<String, Author> here = rooms.get(room);
            if (here == null || here.replace(user.id(), user) == null) {
                return;
            }
            watcher = watchers.get(room);
        }
        tell(watcher, Change.renamed(user, oldName));
    }

    @Override
    public synchronized void watch(String room, Consumer<Change> watcher) {
        watchers.put(room, watcher);
    }

    @Override
    public synchronized void unwatch(String room) {
        watchers.remove(room);
    }

    @Override
    public synchronized CompletableFuture<List<Author>> here(String room) {
        Map<String, Author> here = rooms.get(room);
        return CompletableFuture.completedFuture(here == null ? List.of() : List.copyOf(here.values()));
    }

    @Override
    public List<Occupancy> busiest(int limit) {
        List<Occupancy> list = new ArrayList<>();
        synchronized (this) {
            rooms.forEach((room, here) -> {
                RoomName name = new RoomName(room);
                if (!name.isPrivate()) {
                    list.add(new Occupancy(name, here.size()));
                }
            });
        }
        list.sort(Comparator.comparingInt(Occupancy::people).reversed().thenComparing(o -> o.name().value()));
        return list.size() <= limit ? list : List.copyOf(list.subList(0, limit));
    }

    @Override
    public synchronized void close() {
        watchers.clear();
    }

    private static void tell(Consumer<Change> watcher, Change change) {
        if (watcher != null) {
            watcher.accept(change);
        }
    }
}
