package chatroom.cluster;

import static chatroom.cluster.RedisCalls.restoreInterrupt;

import chatroom.room.PresenceBoard.Occupancy;
import chatroom.room.RoomName;
import io.lettuce.core.ScoredValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The busiest public rooms across the cluster, for the lobby: read from Redis every {@code lobbyRefresh}
 * on the board's timers, so that a page asking never waits on Redis, and kept as it was while Redis is
 * away. It reads as many rooms as the largest caller asked for (within bounds), twice over, since
 * private rooms and names that are not rooms are dropped from what Redis lists.
 */
final class LobbyCache {

    /** The lobby reads at least this many of the busiest rooms, more if a caller asks for more. */
    private static final int MIN_LOBBY_ROOMS = 32;
    private static final int MAX_LOBBY_ROOMS = 1_000;

    private final PresenceConnections redis;
    private final AtomicInteger rooms = new AtomicInteger(MIN_LOBBY_ROOMS);
    private volatile List<Occupancy> busiest = List.of();

    LobbyCache(PresenceConnections redis) {
        this.redis = redis;
    }

    void start(ScheduledExecutorService timers) {
        long lobbyMs = redis.settings.lobbyRefresh().toMillis();
        timers.scheduleWithFixedDelay(this::refresh, 0, lobbyMs, TimeUnit.MILLISECONDS);
    }

    List<Occupancy> busiest(int limit) {
        rooms.accumulateAndGet(Math.min(limit, MAX_LOBBY_ROOMS), Math::max);
        List<Occupancy> now = busiest;
        return now.size() <= limit ? now : List.copyOf(now.subList(0, Math.max(0, limit)));
    }

    private void refresh() {
        if (!redis.writing()) {
            return;
        }
        try {
            List<ScoredValue<String>> top = redis.await(redis.commands().async()
                    .zrevrangeWithScores(redis.keys.busiest(), 0, rooms.get() * 2L - 1));
            List<Occupancy> read = new ArrayList<>(top.size());
            for (ScoredValue<String> room : top) {
                int people = (int) room.getScore();
                RoomName name = PresenceConnections.roomName(PresenceKeys.unescape(room.getValue()));
                if (people > 0 && name != null && !name.isPrivate()) {
                    read.add(new Occupancy(name, people));
                }
            }
            read.sort(Comparator.comparingInt(Occupancy::people).reversed().thenComparing(o -> o.name().value()));
            busiest = List.copyOf(read);
        } catch (Exception e) {
            restoreInterrupt(e);
            redis.down(e);
        }
    }
}
