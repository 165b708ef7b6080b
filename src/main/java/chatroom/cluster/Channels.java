package chatroom.cluster;

/**
 * Redis channel names for one deployment: {@code <prefix>:room:<room>} for a room's messages and
 * {@code <prefix>:probe:<node>} for a node's liveness probe. Room names may hold any character,
 * {@code :} included, so the room part escapes {@code %} as {@code %25} and {@code :} as {@code %3A}:
 * it then never contains a colon, and neither a room named {@code a:room:b} nor a deployment whose
 * prefix ends in {@code :room:a} can produce another room's channel.
 */
final class Channels {

    private final String roomPrefix;
    private final String probePrefix;

    Channels(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("the Redis channel prefix is empty");
        }
        this.roomPrefix = prefix + ":room:";
        this.probePrefix = prefix + ":probe:";
    }

    String room(String room) {
        return roomPrefix + escape(room);
    }

    /** The room whose channel this is, or null if it is not one of this deployment's room channels. */
    String roomOf(String channel) {
        if (!channel.startsWith(roomPrefix)) {
            return null;
        }
        String escaped = channel.substring(roomPrefix.length());
        return escaped.indexOf(':') >= 0 ? null : unescape(escaped);
    }

    String probe(String nodeId) {
        return probePrefix + escape(nodeId);
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
