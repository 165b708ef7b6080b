package chatroom.cluster;

/**
 * Where the Redis presence board keeps things, for one deployment (one prefix). Every name starts with
 * {@code <prefix>:presence:}; room, user and node ids are escaped ({@code %} as {@code %25}, {@code :}
 * as {@code %3A}) so that they never contain a colon and no id, whatever its characters, can produce
 * another one's key. A room's presence channel ({@code <prefix>:presence:<room>}, one JSON object per
 * change) is named by {@link RedisNames}. A node, in the keys below, is one run of a node: its id, {@code ~} and
 * the run's incarnation ({@link NodeClaim}), so that what two processes under one id wrote is told apart.
 *
 * <pre>
 * &lt;p&gt;:presence:room:&lt;room&gt;:user:&lt;user&gt;  SET    the nodes the user is in the room through
 * &lt;p&gt;:presence:room:&lt;room&gt;:users        ZSET   users in the room, scored by arrival order
 * &lt;p&gt;:presence:room:&lt;room&gt;:authors      HASH   user → author JSON (id, name, tag)
 * &lt;p&gt;:presence:node:&lt;node&gt;:alive        STRING the node's heartbeat, with an expiry
 * &lt;p&gt;:presence:node:&lt;node&gt;:index        HASH   "&lt;room&gt;:&lt;user&gt;" → "1" public room, "0" not
 * &lt;p&gt;:presence:node:&lt;node&gt;:dead         STRING set when the sweeper declared the node dead
 * &lt;p&gt;:presence:id:&lt;node id&gt;            STRING which run of which process holds the id, with the heartbeat's expiry
 * &lt;p&gt;:presence:nodes                       SET    nodes that asserted anything (what the sweeper checks)
 * &lt;p&gt;:presence:order                       counter for arrival order
 * &lt;p&gt;:presence:busiest                     ZSET   public room → users in it (private rooms never)
 * &lt;p&gt;:presence:sweeper                     the sweeper's lock (SET NX PX)
 * </pre>
 *
 * The Lua scripts ({@link PresenceScripts}) build the same names from {@link #base()} and escaped ids;
 * they touch keys they are not given in KEYS, which a single Redis allows and Redis Cluster does not.
 */
final class PresenceKeys {

    private final String base;

    PresenceKeys(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("the Redis key prefix is empty");
        }
        this.base = prefix + ":presence:";
    }

    /** {@code <prefix>:presence:}, what every key of the board starts with (the room's presence channel too). */
    String base() {
        return base;
    }

    String nodeIndex(String node) {
        return base + "node:" + escape(node) + ":index";
    }

    String alive(String node) {
        return base + "node:" + escape(node) + ":alive";
    }

    /** A node id's claim: which run of which process has the id ({@link NodeClaim}). */
    String claim(String nodeId) {
        return base + "id:" + escape(nodeId);
    }

    String nodes() {
        return base + "nodes";
    }

    String busiest() {
        return base + "busiest";
    }

    String sweeperLock() {
        return base + "sweeper";
    }

    /** A field of a node's index: escaped room and user, split by the one colon. */
    static String indexField(String room, String userId) {
        return escape(room) + ":" + escape(userId);
    }

    /** Escapes as the feed's channel names do ({@link RedisNames#escape}): one rule for every Redis name. */
    static String escape(String raw) {
        return RedisNames.escape(raw);
    }

    static String unescape(String escaped) {
        return RedisNames.unescape(escaped);
    }
}
