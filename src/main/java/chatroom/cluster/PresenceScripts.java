package chatroom.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the Redis presence board. Each runs atomically, so a (room, user)'s node set, the
 * room's users and authors, the busiest-rooms counts and the change published on the room's channel
 * always move together, and changes reach the channel in the order they happened. Every script is
 * idempotent for its node: asserting the same (room, user, node) twice changes nothing and publishes
 * nothing. Key layout: {@link PresenceKeys}. ARGV[1] is always the keys' base, {@code <prefix>:presence:};
 * room, user and node ids arrive escaped.
 */
final class PresenceScripts {

    /** A script's source and its SHA-1, for EVALSHA with EVAL as the fallback after a Redis restart. */
    record Script(String name, String source, String sha) {
        static Script of(String name, String body) {
            String source = PRELUDE + body;
            return new Script(name, source, sha1(source));
        }
    }

    /**
     * Join and leave, shared by the scripts. A user joins a room when their node set goes from empty to
     * non-empty and leaves when it becomes empty again; only then do the room's users, the busiest
     * counts and the channel change. Nothing is ever removed because it is missing.
     */
    private static final String PRELUDE = """
            local base = ARGV[1]
            local function roomKey(r) return base .. 'room:' .. r end
            local function indexKey(n) return base .. 'node:' .. n .. ':index' end

            -- returns 1 when the user joined the room (their first node), 0 otherwise; announce '1' publishes
            -- the join, 'r' only tells watchers to read who is here again ({}), '0' publishes nothing
            local function join(r, u, n, public, author, announce, ttl)
              local nodesKey = roomKey(r) .. ':user:' .. u
              redis.call('SADD', base .. 'nodes', n)
              -- a node that writes is alive: when Redis has lost its heartbeat (a restart, a wipe) this stands
              -- in until its next beat, which finds 'pending' and asserts the node's users again; without it
              -- a sweep in between would declare the live node dead and show all its users leaving
              redis.call('SET', base .. 'node:' .. n .. ':alive', 'pending', 'PX', ttl, 'NX')
              redis.call('HSET', indexKey(n), r .. ':' .. u, public)
              redis.call('HSET', roomKey(r) .. ':authors', u, author)
              if redis.call('SADD', nodesKey, n) == 1 and redis.call('SCARD', nodesKey) == 1 then
                redis.call('ZADD', roomKey(r) .. ':users', 'NX', redis.call('INCR', base .. 'order'), u)
                if public == '1' then redis.call('ZINCRBY', base .. 'busiest', 1, r) end
                if announce == '1' then
                  redis.call('PUBLISH', base .. r, '{"joined":' .. author .. '}')
                elseif announce == 'r' then
                  redis.call('PUBLISH', base .. r, '{}')
                end
                return 1
              end
              return 0
            end

            -- returns 1 when the user left the room (their last node gone), 0 otherwise
            local function leave(r, u, n, public, fallbackAuthor)
              local nodesKey = roomKey(r) .. ':user:' .. u
              redis.call('HDEL', indexKey(n), r .. ':' .. u)
              if redis.call('SREM', nodesKey, n) == 1 and redis.call('SCARD', nodesKey) == 0 then
                local author = redis.call('HGET', roomKey(r) .. ':authors', u) or fallbackAuthor
                redis.call('HDEL', roomKey(r) .. ':authors', u)
                redis.call('ZREM', roomKey(r) .. ':users', u)
                if public == '1' then
                  if tonumber(redis.call('ZINCRBY', base .. 'busiest', -1, r)) <= 0 then
                    redis.call('ZREM', base .. 'busiest', r)
                  end
                end
                if author then redis.call('PUBLISH', base .. r, '{"left":' .. author .. '}') end
                return 1
              end
              return 0
            end
            """;

    /**
     * ARGV: base, room, user, node, public (1/0), author JSON, announce: 1 the join, r a refresh (a user
     * put back after Redis lost them: no notice, but the people shown change), 0 nothing; the node's
     * heartbeat ttl in ms (the heartbeat stands in for the node's own until it beats, if Redis has none).
     * Returns 1 if the user joined.
     */
    static final Script ARRIVE = Script.of("arrive", """
            return join(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
            """);

    /**
     * ARGV: base, room, user, node, public (1/0), author JSON to announce should Redis hold none (or
     * empty). Returns 1 if the user left.
     */
    static final Script DEPART = Script.of("depart", """
            return leave(ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6] ~= '' and ARGV[6])
            """);

    /**
     * ARGV: base, room, user, new author JSON, change JSON. Stores the new name and publishes the rename
     * if the user is in the room; otherwise does nothing (a late rename never brings a user back, and a
     * node that asserts the user again after Redis lost them asserts the new name).
     */
    static final Script RENAME = Script.of("rename", """
            if not redis.call('ZSCORE', roomKey(ARGV[2]) .. ':users', ARGV[3]) then return 0 end
            redis.call('HSET', roomKey(ARGV[2]) .. ':authors', ARGV[3], ARGV[4])
            redis.call('PUBLISH', base .. ARGV[2], ARGV[5])
            return 1
            """);

    /**
     * ARGV: base, node, ttl ms, node id's claim key, this run's holder. Refreshes the node's heartbeat,
     * and its id's claim unless another run holds it, and returns {had a heartbeat (1/0), had been
     * declared dead (1/0), the other holder of the id or ''}: a missing heartbeat means Redis lost it
     * (restart, wipe) or the node was silent too long, and the node must assert its users again. A
     * heartbeat that only {@code join} put there ('pending') counts as missing.
     */
    static final Script HEARTBEAT = Script.of("heartbeat", """
            local n = ARGV[2]
            redis.call('SADD', base .. 'nodes', n)
            local had = redis.call('SET', base .. 'node:' .. n .. ':alive', '1', 'PX', ARGV[3], 'GET')
            local dead = redis.call('DEL', base .. 'node:' .. n .. ':dead')
            local claimed = redis.call('GET', ARGV[4])
            local other = ''
            if not claimed or claimed == ARGV[5] then
              redis.call('SET', ARGV[4], ARGV[5], 'PX', ARGV[3])
            else
              other = claimed
            end
            if had == '1' then return {1, dead, other} end
            return {0, dead, other}
            """);

    /**
     * ARGV: base, tombstone seconds. Every node without a heartbeat is dead: each (room, user) it
     * asserted loses that node, and users with no node left leave, one change each. The node is marked
     * dead (so that, should it come back, it announces its users again) and forgotten. Returns the ids
     * of the nodes declared dead, escaped.
     */
    static final Script SWEEP = Script.of("sweep", """
            local dead = {}
            for _, n in ipairs(redis.call('SMEMBERS', base .. 'nodes')) do
              if redis.call('EXISTS', base .. 'node:' .. n .. ':alive') == 0 then
                local index = redis.call('HGETALL', indexKey(n))
                for i = 1, #index, 2 do
                  local sep = string.find(index[i], ':', 1, true)
                  leave(string.sub(index[i], 1, sep - 1), string.sub(index[i], sep + 1), n, index[i + 1], false)
                end
                redis.call('DEL', indexKey(n))
                redis.call('SREM', base .. 'nodes', n)
                redis.call('SET', base .. 'node:' .. n .. ':dead', '1', 'EX', ARGV[2])
                table.insert(dead, n)
              end
            end
            return dead
            """);

    /** ARGV: base, room. Returns the author JSON of every user in the room, in arrival order. */
    static final Script HERE = Script.of("here", """
            local authors = {}
            local authorsKey = roomKey(ARGV[2]) .. ':authors'
            for _, u in ipairs(redis.call('ZRANGE', roomKey(ARGV[2]) .. ':users', 0, -1)) do
              local author = redis.call('HGET', authorsKey, u)
              if author then table.insert(authors, author) end
            end
            return authors
            """);

    private PresenceScripts() {}

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
