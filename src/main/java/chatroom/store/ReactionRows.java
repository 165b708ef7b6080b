package chatroom.store;

import chatroom.room.Message;
import chatroom.room.Reaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each message's reactions, as they now are, on the messages read from the store: one query for a
 * run of seqs ({@link Sql#SELECT_REACTIONS}), however many messages it holds. Most messages have none, and
 * then the query finds nothing and the messages are returned as they were.
 */
final class ReactionRows {

    private ReactionRows() {}

    /** {@code messages} of one room, oldest first, each with its reactions. */
    static List<Message> attach(Connection connection, List<Message> messages) throws SQLException {
        if (messages.isEmpty()) return messages;
        try (PreparedStatement select = connection.prepareStatement(Sql.SELECT_REACTIONS)) {
            return attach(select, messages);
        }
    }

    /** The same, on a statement of {@link Sql#SELECT_REACTIONS} prepared by the caller. */
    static List<Message> attach(PreparedStatement select, List<Message> messages) throws SQLException {
        if (messages.isEmpty()) return messages;
        long from = Long.MAX_VALUE, to = Long.MIN_VALUE;
        for (Message message : messages) {
            from = Math.min(from, message.seq());
            to = Math.max(to, message.seq());
        }
        Map<Long, List<Reaction>> bySeq = read(select, messages.getFirst().room(), from, to);
        if (bySeq.isEmpty()) return messages;
        List<Message> with = new ArrayList<>(messages.size());
        for (Message message : messages) {
            List<Reaction> reactions = bySeq.get(message.seq());
            with.add(reactions == null ? message : message.withReactions(reactions));
        }
        return with;
    }

    /** One message with its reactions. */
    static Message attach(PreparedStatement select, Message message) throws SQLException {
        List<Reaction> reactions = read(select, message.room(), message.seq(), message.seq()).get(message.seq());
        return reactions == null ? message : message.withReactions(reactions);
    }

    private static Map<Long, List<Reaction>> read(PreparedStatement select, String room, long from, long to)
            throws SQLException {
        select.setString(1, room);
        select.setLong(2, from);
        select.setLong(3, to);
        Map<Long, List<Reaction>> bySeq = new HashMap<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                bySeq.computeIfAbsent(rows.getLong(1), seq -> new ArrayList<>())
                        .add(new Reaction(rows.getString(2), rows.getString(3), rows.getString(4)));
            }
        }
        return bySeq;
    }
}
