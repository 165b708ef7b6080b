package chatroom.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's claim on its id: one key per id in Redis ({@code <p>:presence:id:<node>}) holding which run
 * of which process has it, with the heartbeat's expiry, so that a second process started under an id
 * that is alive is refused instead of writing presence under it. The claim is taken with SET NX (so of
 * two nodes starting at once one wins), refreshed by the presence heartbeat and released on a clean stop.
 * A claim left by a node that died (kill -9) is not refreshed: the new run waits for it to expire (up to
 * the node timeout) and takes it; one that is refreshed meanwhile belongs to a live node, and the new
 * run is refused with {@link TakenException}.
 *
 * <p>State: the id, this run's incarnation (a random token, also part of the name the presence board
 * writes under, so that what a dead duplicate wrote is swept with its own heartbeat) and how it
 * describes its holder. Stateless otherwise; {@link #claim} blocks its caller (the start-up thread, or
 * the presence timer when Redis came back later).
 */
final class NodeClaim {

    private static final Logger log = LoggerFactory.getLogger(NodeClaim.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** KEYS[1]: the claim; ARGV: holder, ttl ms. Returns {1} when this holder has it now, else {0, holder or '', pttl}. */
    private static final String CLAIM = """
            if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1, '', 0} end
            local held = redis.call('GET', KEYS[1])
            if held == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return {1, '', 0}
            end
            if not held then return {0, '', 0} end
            return {0, held, redis.call('PTTL', KEYS[1])}
            """;

    /** KEYS[1]: the claim; ARGV: holder. Deletes the claim if this holder has it. */
    static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

    /** A live node holds the id: the message names the id, the holder and what to do. */
    static final class TakenException extends IllegalStateException {
        TakenException(String message) {
            super(message);
        }
    }

    final String nodeId;
    final String incarnation;
    final String holder;
    final String key;
    private final String redis; // "HOST:PORT", for the messages

    NodeClaim(PresenceKeys keys, String nodeId, String incarnation, String redis) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.key = keys.claim(nodeId);
        this.redis = redis;
        this.holder = "pid " + ProcessHandle.current().pid() + " on " + hostName() + " since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", incarnation " + incarnation;
    }

    /** A fresh token for one run of a node. */
    static String newIncarnation() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Takes the id, waiting (polling every {@code pollMs}) for a claim that is not refreshed to expire.
     *
     * @throws TakenException when another holder refreshes its claim while this one waits
     * @throws Exception when Redis does not answer (the caller tries again when it does)
     */
    void claim(RedisAsyncCommands<String, String> commands, long ttlMs, long pollMs, long commandTimeoutMs)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * ttlMs + commandTimeoutMs);
        String lastHolder = null;
        long lastPttl = 0;
        while (true) {
            List<Object> reply = await(commands.<List<Object>>eval(CLAIM, ScriptOutputType.MULTI,
                    new String[] {key}, holder, Long.toString(ttlMs)), commandTimeoutMs);
            if ((Long) reply.get(0) == 1) {
                if (lastHolder != null) {
                    log.info("node {}: claimed the id after the heartbeat of {} ran out", nodeId, lastHolder);
                }
                return;
            }
            String held = (String) reply.get(1);
            long pttl = (Long) reply.get(2);
            if (!held.isEmpty()) {
                // unrefreshed, the time left only shrinks: one that grew, or a new holder, is a live node
                if (lastHolder != null && (!held.equals(lastHolder) || pttl > lastPttl)) {
                    throw new TakenException(taken(held, ttlMs));
                }
                if (lastHolder == null) {
                    log.info("node {}: the id is held by {}; waiting up to {} ms for it to be refreshed (a live "
                            + "node: this one stops) or to run out (a node that died: this one takes it)",
                            nodeId, held, pttl);
                }
                lastHolder = held;
                lastPttl = pttl;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TakenException(taken(held.isEmpty() ? lastHolder : held, ttlMs)
                        + " (its claim " + key + " neither ran out nor was refreshed)");
            }
            Thread.sleep(pollMs);
        }
    }

    /** The refusal, for the operator. */
    String taken(String otherHolder, long ttlMs) {
        return "node id '" + nodeId + "' is in use by a live node (" + otherHolder + "): its heartbeat in redis "
                + redis + " is fresh. Start this node with another --node-id, or stop that node first (a node "
                + "that died frees its id within --presence-node-timeout, " + ttlMs + " ms)";
    }

    private static <T> T await(io.lettuce.core.RedisFuture<T> future, long timeoutMs) throws Exception {
        try {
            return future.toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "an unknown host";
        }
    }
}
