package chatroom.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * A cluster node's one Redis: the Lettuce client and its threads, this run's incarnation and the
 * node's {@link RedisOutage}, shared by its two parts, the {@link RedisFeed} (events and signals
 * between nodes) and the {@link RedisPresence} board (who is in each room). Neither part owns the
 * client: the node makes them ({@link #feed}, {@link #presence}) and shuts the client down when the
 * last part made is closed, so a node is closed by closing its parts, in the order the server wants
 * (the board before its sockets close, the feed after its rooms stop).
 *
 * <p>State: the client, its resources, the parts made and not closed yet. Opening it connects nothing:
 * each part connects as it starts, and starts anyway while Redis is unreachable.
 */
public final class RedisNode {

    private static final Logger log = LoggerFactory.getLogger(RedisNode.class);

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Commands waiting for a slow Redis beyond this many fail (and are dropped) instead of filling the heap. */
    private static final int MAX_QUEUED_COMMANDS = 65_536;

    private final RedisURI uri;
    private final String where; // "redis HOST:PORT", how log lines and errors name the server
    private final RedisOutage outage;
    /** This run of the node: a node restarted under the same id is another incarnation. */
    private final String incarnation = NodeClaim.newIncarnation();
    private final ClientResources resources;
    private final Disposable reconnectFailures;
    private final RedisClient client;
    private int openParts; // guarded by this, as are the rest
    private boolean shutDown;
    private RedisFeed feed;
    private RedisPresence board;

    /**
     * The node's client for the Redis at {@code redisUrl}; connects nothing yet.
     *
     * @throws IllegalArgumentException when the URL is malformed (the message never shows a password)
     */
    public static RedisNode open(String redisUrl) {
        return new RedisNode(parse(redisUrl));
    }

    private RedisNode(RedisURI uri) {
        this.uri = uri;
        uri.setTimeout(COMMAND_TIMEOUT);
        this.where = "redis " + uri.getHost() + ":" + uri.getPort();
        this.outage = new RedisOutage(where);
        // Our own small resources: a few connections need little, and Lettuce's default (one thread per
        // core) would sit beside the web server's event loops for nothing; 2 is Lettuce's minimum.
        // Reconnects back off from 100 ms to 2 s with jitter, so nodes return soon after Redis does,
        // but not all at once.
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100, TimeUnit.MILLISECONDS))
                .build();
        // each failed reconnect says why (refused, unknown host…): the root cause the outage's WARN names
        this.reconnectFailures = resources.eventBus().get().subscribe(event -> {
            if (event instanceof ReconnectFailedEvent failed) {
                outage.cause(failed.getCause());
            }
        });
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // A command made while Redis is away fails now instead of being replayed late (and out of
                // order) after a reconnect: receivers fill the gap from the database, presence retries
                // its own changes in order.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // RESP2: Redis then counts a subscriber as a pub/sub client, so the pub/sub output buffer
                // limits and CLIENT KILL TYPE pubsub apply to it as operators expect.
                .protocolVersion(ProtocolVersion.RESP2)
                .requestQueueSize(MAX_QUEUED_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
    }

    /** The node's feed, connected (or waiting for Redis) before it returns; one per node. */
    public synchronized RedisFeed feed(RedisFeed.Settings settings) {
        requireOpen(feed, "feed");
        feed = new RedisFeed(this, settings);
        openParts++;
        return feed;
    }

    /**
     * The node's presence board, under this run's incarnation; one per node. Its health and trouble are
     * part of the feed's readiness ({@link RedisFeed#trouble}), so that one check says why a node is unready.
     *
     * @throws NodeClaim.TakenException when a live node holds the id (see {@link RedisPresence#connect})
     */
    public synchronized RedisPresence presence(RedisPresence.Settings settings) {
        requireOpen(board, "presence board");
        board = new RedisPresence(client, uri, settings, incarnation, outage, this::partClosed);
        openParts++;
        return board;
    }

    private void requireOpen(Object made, String part) {
        if (shutDown) {
            throw new IllegalStateException(where + ": the node's client is shut down");
        }
        if (made != null) {
            throw new IllegalStateException(where + ": this node already has its " + part);
        }
    }

    /** The board, for the feed's readiness; null until made. */
    synchronized RedisPresence board() {
        return board;
    }

    RedisClient client() {
        return client;
    }

    RedisURI uri() {
        return uri;
    }

    String where() {
        return where;
    }

    RedisOutage outage() {
        return outage;
    }

    String incarnation() {
        return incarnation;
    }

    /** A part closed: the last one shuts the client down (which closes what it still has open). */
    synchronized void partClosed() {
        if (--openParts > 0 || shutDown) {
            return;
        }
        shutDown = true;
        reconnectFailures.dispose();
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("{}: client shutdown failed", where, e);
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            String shown = url.replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@"); // no password in errors
            throw new IllegalArgumentException(
                    "Redis URL '" + shown + "' is malformed; expected redis://HOST:PORT[/db] or rediss://HOST:PORT[/db]", e);
        }
    }
}
