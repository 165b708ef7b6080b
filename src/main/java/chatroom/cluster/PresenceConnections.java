package chatroom.cluster;

import static chatroom.cluster.RedisCalls.rootMessage;

import chatroom.cluster.PresenceScripts.Script;
import chatroom.room.InvalidInputException;
import chatroom.room.RoomName;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of the presence board shares: the command and pub/sub connections (absent until
 * Redis first answers), whether Redis answers the board now, whether the board may write (its id is
 * claimed) and whether it has stopped taking changes, and this run's names in the scripts' form.
 * Every Redis call of the board goes through here, so that each has the command timeout, and a
 * failure is told once as a state change rather than at every retry.
 */
final class PresenceConnections {

    private static final Logger log = LoggerFactory.getLogger(PresenceConnections.class);

    final RedisPresence.Settings settings;
    /** "presence NODE", how log lines name the board. */
    final String where;
    final PresenceKeys keys;
    /** {@code <prefix>:presence:}, the scripts' first argument. */
    final String base;
    /** This run unescaped ({@code <id>~<incarnation>}), as {@link PresenceKeys} wants it. */
    final String nodeName;
    /** The same escaped, as the scripts want it. */
    final String node;
    private final RedisClient client;
    private final RedisURI uri;
    private final RedisOutage outage;
    private final RedisCalls.State redis = new RedisCalls.State("up");
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean writing;
    private volatile boolean stopped;

    PresenceConnections(RedisClient client, RedisURI uri, RedisPresence.Settings settings, String incarnation, RedisOutage outage) {
        this.settings = settings;
        this.where = "presence " + settings.nodeId();
        this.keys = new PresenceKeys(settings.prefix());
        this.base = keys.base();
        this.nodeName = settings.nodeId() + "~" + incarnation;
        this.node = PresenceKeys.escape(nodeName);
        this.client = client;
        this.uri = uri;
        this.outage = outage;
    }

    /** "HOST:PORT" of the Redis, as the node claim names where it holds the id. */
    String address() {
        return uri.getHost() + ":" + uri.getPort();
    }

    /** Opens what is not open yet; throws if Redis cannot be reached. */
    void open(RedisPubSubListener<String, String> listener) {
        if (commands == null) {
            commands = client.connect(StringCodec.UTF8, uri);
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> opened = client.connectPubSub(StringCodec.UTF8, uri);
            opened.addListener(listener);
            pubsub = opened;
        }
    }

    /** The command connection; null until Redis first answered. */
    StatefulRedisConnection<String, String> commands() {
        return commands;
    }

    StatefulRedisPubSubConnection<String, String> pubsub() {
        return pubsub;
    }

    <T> CompletableFuture<T> eval(Script script, ScriptOutputType type, String... args) {
        return RedisCalls.eval(commands, script, type, args);
    }

    <T> T await(CompletionStage<T> stage) throws Exception {
        return RedisCalls.await(stage, settings.commandTimeout());
    }

    /** True once the id is claimed (or, in a fault test, would have been): only then does the board write. */
    boolean writing() {
        return writing;
    }

    void startWriting() {
        writing = true;
    }

    /** True once the board takes no more changes (it left every room, or closed). */
    boolean stopped() {
        return stopped;
    }

    void stop() {
        stopped = true;
    }

    void closeConnections() {
        if (pubsub != null) {
            pubsub.closeAsync();
        }
        if (commands != null) {
            commands.closeAsync();
        }
    }

    boolean away() {
        return redis.is("down");
    }

    void up() {
        if (redis.becomes("up")) {
            log.info("{}: redis answers again", where);
        }
    }

    /** INFO: the outage itself is told once for the whole node, by its {@link RedisOutage}. */
    void down(Exception e) {
        if (e instanceof InterruptedException || stopped) {
            return;
        }
        outage.symptom(e);
        if (redis.becomes("down")) {
            log.info("{}: redis does not answer; changes wait and are retried every {} ms ({})",
                    where, settings.heartbeatInterval().toMillis(), rootMessage(e));
        }
    }

    /** Redis could not be reached at the start: the board joins on a later heartbeat; changes wait meanwhile. */
    void unreachableAtStart(Exception e) {
        outage.cause(e);
        redis.becomes("down");
    }

    /** How long this node's heartbeat lasts in Redis, in ms, as the scripts want it. */
    String heartbeatTtl() {
        return Long.toString(settings.nodeTimeout().toMillis());
    }

    /** "1" when the room is public, so counted in the lobby; "0" for private rooms and names that are not rooms. */
    static String listed(String room) {
        RoomName name = roomName(room);
        return name != null && !name.isPrivate() ? "1" : "0";
    }

    static RoomName roomName(String room) {
        try {
            return new RoomName(room);
        } catch (InvalidInputException e) {
            return null;
        }
    }
}
