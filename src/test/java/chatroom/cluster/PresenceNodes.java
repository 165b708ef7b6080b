package chatroom.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence boards for tests, as if on several nodes: one Lettuce client (as a node shares one between
 * its feed and its board), a key prefix of the run's own, and timings short enough to watch a node die
 * within a test. Closing it closes every board, removes the run's keys and shuts the client down.
 */
final class PresenceNodes implements AutoCloseable {

    static final Duration HEARTBEAT = Duration.ofMillis(200);
    static final Duration NODE_TIMEOUT = Duration.ofMillis(2_000);
    static final Duration SWEEP = Duration.ofMillis(250);
    /** How long a command waits for Redis's answer: what a call that blocked on Redis would take. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    final String prefix = "presence-test-" + UUID.randomUUID();
    private final RedisURI uri;
    private final DefaultClientResources resources;
    private final RedisClient client;
    private final List<RedisPresence> boards = new ArrayList<>();

    /** Boards on the machine's Redis. */
    PresenceNodes() {
        this("redis://127.0.0.1:6379");
    }

    PresenceNodes(String url) {
        this.uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.constant(Duration.ofMillis(100)))
                .build();
        this.client = RedisClient.create(resources);
        // as a node's client would be: commands fail at once while Redis is away, never replayed late
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
    }

    RedisPresence.Settings settings(String nodeId) {
        return new RedisPresence.Settings(
                prefix, nodeId, HEARTBEAT, NODE_TIMEOUT, SWEEP, Duration.ofMillis(100), Duration.ofMillis(500));
    }

    RedisPresence start(String nodeId) {
        return start(settings(nodeId));
    }

    RedisPresence start(RedisPresence.Settings settings) {
        RedisPresence board = RedisPresence.connect(client, uri, settings);
        boards.add(board);
        return board;
    }

    /** A plain connection to the same Redis, for looking at what the boards wrote. */
    StatefulRedisConnection<String, String> connect() {
        return client.connect(StringCodec.UTF8, uri);
    }

    @Override
    public void close() {
        boards.forEach(RedisPresence::close);
        try (StatefulRedisConnection<String, String> redis = connect()) {
            List<String> keys = redis.sync().keys(prefix + ":*");
            if (!keys.isEmpty()) {
                redis.sync().del(keys.toArray(String[]::new));
            }
        } catch (RuntimeException e) {
            // the Redis of a restart test may be gone already; its keys went with it
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
