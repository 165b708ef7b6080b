package chatroom.store;

import chatroom.room.ChangeRefusedException;
import chatroom.room.Message;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewEvent;
import chatroom.room.NewMessage;
import chatroom.room.NewReaction;
import chatroom.room.Quote;
import chatroom.room.Reaction;
import chatroom.room.RoomEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Applies a change to a message inside the writer's transaction, once the room's row is locked by the seq
 * claim: it reads the message as it now is, judges the change against it (the message exists, is the
 * changer's unless they may change anyone's, is not deleted, and an edit changes its text), updates the
 * message row to what it now is and inserts the change's event row with its seq. A deletion also takes
 * the text of the message's earlier edits and its reactions: what remains is the events and who made them.
 * A reaction adds or removes its row of {@code reactions}. Every change answers with its message as it now
 * is, reactions included. Statements
 * are run one by one, not batched: a change must see the changes before it in the same batch, and they
 * are rarer than messages. Writer thread only; prepared once per connection, as {@link BatchTransaction}'s.
 */
final class ChangeWriter {

    static final String EDIT = "edit";
    static final String DELETE = "delete";
    static final String REACT = "react";
    static final String UNREACT = "unreact";

    private Connection preparedOn;
    private PreparedStatement selectMessage;
    private PreparedStatement editMessage;
    private PreparedStatement deleteText;
    private PreparedStatement deleteEditTexts;
    private PreparedStatement insertEvent;
    private PreparedStatement selectByClientId;
    private PreparedStatement deleteReactions;
    private PreparedStatement insertReaction;
    private PreparedStatement removeReaction;
    private PreparedStatement countReactions;
    private PreparedStatement selectReactions;

    void prepare(Connection connection) throws SQLException {
        if (connection == preparedOn) return;
        preparedOn = null;
        selectMessage = connection.prepareStatement(Sql.SELECT_MESSAGE);
        editMessage = connection.prepareStatement(Sql.EDIT_MESSAGE);
        deleteText = connection.prepareStatement(Sql.DELETE_MESSAGE_TEXT);
        deleteEditTexts = connection.prepareStatement(Sql.DELETE_EDIT_TEXTS);
        insertEvent = connection.prepareStatement(Sql.INSERT_EVENT);
        selectByClientId = connection.prepareStatement(Sql.SELECT_EVENT_BY_CLIENT_ID);
        deleteReactions = connection.prepareStatement(Sql.DELETE_REACTIONS);
        insertReaction = connection.prepareStatement(Sql.INSERT_REACTION);
        removeReaction = connection.prepareStatement(Sql.REMOVE_REACTION);
        countReactions = connection.prepareStatement(Sql.COUNT_REACTIONS);
        selectReactions = connection.prepareStatement(Sql.SELECT_REACTIONS);
        preparedOn = connection;
    }

    /** What the change did the first time, if it was applied before under its client id; else null. */
    RoomEvent appliedBefore(NewEvent change) throws SQLException {
        String clientId = clientId(change);
        if (clientId == null) return null;
        selectByClientId.setString(1, clientId);
        selectByClientId.setString(2, change.room());
        selectByClientId.setString(3, changerId(change));
        RoomEvent before;
        try (ResultSet row = selectByClientId.executeQuery()) {
            if (!row.next()) return null;
            before = MessageReads.change(row);
        }
        return before.withMessage(ReactionRows.attach(selectReactions, before.message()));
    }

    /**
     * What a reply to {@code target} shows of it, as it now is, in the transaction that stores the reply;
     * refused if there is no such message in the room, or it was deleted.
     */
    Quote quoteFor(String room, long target) throws SQLException {
        Message original = find(room, target);
        if (original.deleted()) throw new ChangeRefusedException(ChangeRefusedException.DELETED);
        return Quote.of(original);
    }

    /** Applies the change as event {@code seq}; throws {@link ChangeRefusedException} (nothing written) if it may not be. */
    RoomEvent apply(NewEvent change, long seq) throws SQLException {
        return switch (change) {
            case NewEdit edit -> edit(edit, seq);
            case NewDeletion deletion -> delete(deletion, seq);
            case NewReaction reaction -> react(reaction, seq);
            case NewMessage message -> throw new IllegalArgumentException("a message is not a change");
        };
    }

    private RoomEvent edit(NewEdit edit, long seq) throws SQLException {
        Message message = judged(edit.room(), edit.target(), edit.authorId(), false);
        if (message.text().equals(edit.text())) {
            throw new ChangeRefusedException(ChangeRefusedException.UNCHANGED);
        }
        Instant at = edit.at().truncatedTo(ChronoUnit.MILLIS);
        editMessage.setString(1, edit.text());
        editMessage.setLong(2, at.toEpochMilli());
        editMessage.setString(3, edit.room());
        editMessage.setLong(4, edit.target());
        editMessage.executeUpdate();
        insert(edit.room(), seq, EDIT, edit.target(), edit.authorId(), edit.text(), at, edit.clientId());
        return new RoomEvent.Edited(seq, ReactionRows.attach(selectReactions, message.editedTo(edit.text(), at)));
    }

    private RoomEvent delete(NewDeletion deletion, long seq) throws SQLException {
        Message message = judged(deletion.room(), deletion.target(), deletion.byId(), deletion.anyAuthor());
        Instant at = deletion.at().truncatedTo(ChronoUnit.MILLIS);
        deleteText.setLong(1, at.toEpochMilli());
        deleteText.setString(2, deletion.room());
        deleteText.setLong(3, deletion.target());
        deleteText.executeUpdate();
        deleteEditTexts.setString(1, deletion.room());
        deleteEditTexts.setLong(2, deletion.target());
        deleteEditTexts.executeUpdate();
        deleteReactions.setString(1, deletion.room());
        deleteReactions.setLong(2, deletion.target());
        deleteReactions.executeUpdate();
        insert(deletion.room(), seq, DELETE, deletion.target(), deletion.byId(), null, at, deletion.clientId());
        return new RoomEvent.Deleted(seq, message.deletedAt(at), deletion.byId());
    }

    /**
     * A reaction added (unless that person reacted so already, or the message is full) or taken back (if it
     * was there); anyone in the room may react to any message that is not deleted.
     */
    private RoomEvent react(NewReaction reaction, long seq) throws SQLException {
        Message message = judged(reaction.room(), reaction.target(), reaction.userId(), true);
        if (reaction.add()) {
            countReactions.setString(1, reaction.room());
            countReactions.setLong(2, reaction.target());
            try (ResultSet count = countReactions.executeQuery()) {
                if (count.next() && count.getLong(1) >= Reaction.MAX_PER_MESSAGE) {
                    throw new ChangeRefusedException(ChangeRefusedException.TOO_MANY_REACTIONS);
                }
            }
            insertReaction.setString(1, reaction.room());
            insertReaction.setLong(2, reaction.target());
            insertReaction.setString(3, reaction.emoji());
            insertReaction.setString(4, reaction.userId());
            insertReaction.setString(5, reaction.userName());
            insertReaction.setLong(6, seq);
            if (insertReaction.executeUpdate() == 0) throw new ChangeRefusedException(ChangeRefusedException.ALREADY_REACTED);
        } else {
            removeReaction.setString(1, reaction.room());
            removeReaction.setLong(2, reaction.target());
            removeReaction.setString(3, reaction.emoji());
            removeReaction.setString(4, reaction.userId());
            if (removeReaction.executeUpdate() == 0) throw new ChangeRefusedException(ChangeRefusedException.NOT_REACTED);
        }
        Instant at = reaction.at().truncatedTo(ChronoUnit.MILLIS);
        insert(reaction.room(), seq, reaction.add() ? REACT : UNREACT, reaction.target(), reaction.userId(), reaction.emoji(),
                at, reaction.clientId());
        Message now = ReactionRows.attach(selectReactions, message);
        return reaction.add()
                ? new RoomEvent.Reacted(seq, now, reaction.userId(), reaction.emoji())
                : new RoomEvent.Unreacted(seq, now, reaction.userId(), reaction.emoji());
    }

    /** The message as it now is; refused if the room has none of that seq. */
    private Message find(String room, long target) throws SQLException {
        selectMessage.setString(1, room);
        selectMessage.setLong(2, target);
        try (ResultSet row = selectMessage.executeQuery()) {
            if (!row.next()) throw new ChangeRefusedException(ChangeRefusedException.UNKNOWN);
            return MessageReads.message(row);
        }
    }

    /** The target as it now is, if {@code changerId} may change it. */
    private Message judged(String room, long target, String changerId, boolean anyAuthor) throws SQLException {
        Message message = find(room, target);
        if (message.deleted()) throw new ChangeRefusedException(ChangeRefusedException.DELETED);
        if (!anyAuthor && !message.authorId().equals(changerId)) {
            throw new ChangeRefusedException(ChangeRefusedException.NOT_YOURS);
        }
        return message;
    }

    private void insert(String room, long seq, String kind, long target, String authorId, String text, Instant at,
            String clientId) throws SQLException {
        insertEvent.setString(1, room);
        insertEvent.setLong(2, seq);
        insertEvent.setString(3, kind);
        insertEvent.setLong(4, target);
        insertEvent.setString(5, authorId);
        if (text == null) insertEvent.setNull(6, Types.VARCHAR);
        else insertEvent.setString(6, text);
        insertEvent.setLong(7, at.toEpochMilli());
        if (clientId == null) insertEvent.setNull(8, Types.VARCHAR);
        else insertEvent.setString(8, clientId);
        insertEvent.executeUpdate();
    }

    private static String clientId(NewEvent change) {
        return switch (change) {
            case NewEdit edit -> edit.clientId();
            case NewDeletion deletion -> deletion.clientId();
            case NewReaction reaction -> reaction.clientId();
            case NewMessage message -> message.clientId();
        };
    }

    private static String changerId(NewEvent change) {
        return switch (change) {
            case NewEdit edit -> edit.authorId();
            case NewDeletion deletion -> deletion.byId();
            case NewReaction reaction -> reaction.userId();
            case NewMessage message -> message.authorId();
        };
    }
}
