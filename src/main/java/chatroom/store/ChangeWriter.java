package chatroom.store;

import chatroom.room.ChangeRefusedException;
import chatroom.room.Message;
import chatroom.room.NewDeletion;
import chatroom.room.NewEdit;
import chatroom.room.NewEvent;
import chatroom.room.NewMessage;
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
 * the text of the message's earlier edits: what remains is the events and who made them. Statements
 * are run one by one, not batched: a change must see the changes before it in the same batch, and they
 * are rarer than messages. Writer thread only; prepared once per connection, as {@link BatchTransaction}'s.
 */
final class ChangeWriter {

    static final String EDIT = "edit";
    static final String DELETE = "delete";

    private Connection preparedOn;
    private PreparedStatement selectMessage;
    private PreparedStatement editMessage;
    private PreparedStatement deleteText;
    private PreparedStatement deleteEditTexts;
    private PreparedStatement insertEvent;
    private PreparedStatement selectByClientId;

    void prepare(Connection connection) throws SQLException {
        if (connection == preparedOn) return;
        preparedOn = null;
        selectMessage = connection.prepareStatement(Sql.SELECT_MESSAGE);
        editMessage = connection.prepareStatement(Sql.EDIT_MESSAGE);
        deleteText = connection.prepareStatement(Sql.DELETE_MESSAGE_TEXT);
        deleteEditTexts = connection.prepareStatement(Sql.DELETE_EDIT_TEXTS);
        insertEvent = connection.prepareStatement(Sql.INSERT_EVENT);
        selectByClientId = connection.prepareStatement(Sql.SELECT_EVENT_BY_CLIENT_ID);
        preparedOn = connection;
    }

    /** What the change did the first time, if it was applied before under its client id; else null. */
    RoomEvent appliedBefore(NewEvent change) throws SQLException {
        String clientId = clientId(change);
        if (clientId == null) return null;
        selectByClientId.setString(1, clientId);
        selectByClientId.setString(2, change.room());
        selectByClientId.setString(3, changerId(change));
        try (ResultSet row = selectByClientId.executeQuery()) {
            return row.next() ? MessageReads.change(row) : null;
        }
    }

    /** Applies the change as event {@code seq}; throws {@link ChangeRefusedException} (nothing written) if it may not be. */
    RoomEvent apply(NewEvent change, long seq) throws SQLException {
        return switch (change) {
            case NewEdit edit -> edit(edit, seq);
            case NewDeletion deletion -> delete(deletion, seq);
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
        return new RoomEvent.Edited(seq, message.editedTo(edit.text(), at));
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
        insert(deletion.room(), seq, DELETE, deletion.target(), deletion.byId(), null, at, deletion.clientId());
        return new RoomEvent.Deleted(seq, message.deletedAt(at), deletion.byId());
    }

    /** The target as it now is, if {@code changerId} may change it. */
    private Message judged(String room, long target, String changerId, boolean anyAuthor) throws SQLException {
        selectMessage.setString(1, room);
        selectMessage.setLong(2, target);
        Message message;
        try (ResultSet row = selectMessage.executeQuery()) {
            if (!row.next()) throw new ChangeRefusedException(ChangeRefusedException.UNKNOWN);
            message = MessageReads.message(row);
        }
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
            case NewMessage message -> message.clientId();
        };
    }

    private static String changerId(NewEvent change) {
        return switch (change) {
            case NewEdit edit -> edit.authorId();
            case NewDeletion deletion -> deletion.byId();
            case NewMessage message -> message.authorId();
        };
    }
}
