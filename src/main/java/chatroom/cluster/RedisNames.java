package chatroom.cluster;

/**
 * The Redis channels of one deployment (one prefix), named in one place: {@code <prefix>:room:<room>}
 * carries a room's events and signals, {@code <prefix>:presence:<room>} its presence changes, and
 * {@code <prefix>:probe:<node>} a node's liveness probe. Names may hold any character, {@code :}
 * included, so each name part escapes {@code %} as {@code %25} and {@code :} as {@code %3A}: it then
 * never contains a colon, and neither a room named {@code a:room:b} nor a deployment whose prefix ends
 * in {@code :room:a} can produce another room's channel. The presence board's keys are laid out by
 * {@link PresenceKeys}, with the same escaping.
 */
final class RedisNames {

    private final String roomPrefix;
    private final String presencePrefix;
    private final String probePrefix;

    RedisNames(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("the Redis key prefix is empty");
        }
        this.roomPrefix = prefix + ":room:";
        this.presencePrefix = prefix + ":presence:";
        this.probePrefix = prefix + ":probe:";
    }

    /** The channel of a room's events and signals. */
    String room(String room) {
        return roomPrefix + escape(room);
    }

    /** The room whose event channel this is, or null if it is not one of this deployment's. */
    String roomOf(String channel) {
        return roomAfter(roomPrefix, channel, true);
    }

    /** The channel of a room's presence changes. */
    String presence(String room) {
        return presencePrefix + escape(room);
    }

    /** The room whose presence channel this is, or null if it is not one (a key, another deployment's). */
    String roomOfPresence(String channel) {
        return roomAfter(presencePrefix, channel, false);
    }

    String probe(String nodeId) {
        return probePrefix + escape(nodeId);
    }

    /** {@code emptyAllowed}: the presence board has never watched a room with no name, so it reads none. */
    private static String roomAfter(String prefix, String channel, boolean emptyAllowed) {
        if (!channel.startsWith(prefix)) {
            return null;
        }
        String escaped = channel.substring(prefix.length());
        return escaped.indexOf(':') >= 0 || (escaped.isEmpty() && !emptyAllowed) ? null : unescape(escaped);
    }

    /** A name part without colons, so that no room, user or node name can read as another's key or channel. */
    static String escape(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf(':') < 0) {
            return raw;
        }
        return raw.replace("%", "%25").replace(":", "%3A");
    }

    static String unescape(String escaped) {
        if (escaped.indexOf('%') < 0) {
            return escaped;
        }
        return escaped.replace("%3A", ":").replace("%25", "%");
    }
}
