package chatroom.store;

import chatroom.room.Quote;

/**
 * Every statement the store runs, written once in syntax SQLite and PostgreSQL both accept ({@code INSERT …
 * ON CONFLICT … DO UPDATE … RETURNING}, {@code LIMIT}, BIGINT epoch times). The schema they run against is in
 * {@code db/migration/common}.
 */
final class Sql {

    private Sql() {}

    /**
     * One statement per room per batch: claims n sequence numbers and marks the room active. The upsert locks
     * the room's row until commit, so a second writer on the same room (another node) waits here, and a
     * rollback gives the numbers back.
     */
    static final String CLAIM_SEQS = """
            INSERT INTO rooms (room, last_seq, last_active_us) VALUES (?, ?, ?)
            ON CONFLICT (room) DO UPDATE
                SET last_seq = rooms.last_seq + excluded.last_seq, last_active_us = excluded.last_active_us
            RETURNING last_seq""";

    /** Returns the numbers claimed for appends that turned out to be stored already (retried sends). */
    static final String GIVE_BACK_SEQS = "UPDATE rooms SET last_seq = last_seq - ? WHERE room = ?";

    /** A room row this batch's claim made and then gave every number back: nothing was stored in it. */
    static final String DROP_EMPTY_ROOM = "DELETE FROM rooms WHERE room = ?";

    static final String INSERT_MESSAGE = """
            INSERT INTO messages (room, seq, author_id, author_name, text, sent_at_ms, client_id, reply_to_seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    /**
     * The insert that skips a message whose (room, author, client id) is stored already, and counts 0 for it:
     * the retried send that the writer then looks up (see {@link BatchTransaction}). Any other conflict, such
     * as a seq taken twice, still fails.
     */
    static final String INSERT_MESSAGE_UNLESS_STORED = INSERT_MESSAGE + """

            ON CONFLICT (room, author_id, client_id) WHERE client_id IS NOT NULL DO NOTHING""";

    /**
     * A message as it now is, from the messages table named {@code m}: its columns, then what it quotes of
     * the message it answers ({@code q}, joined by {@link #QUOTED}): that one's seq, author, the start of its
     * text (enough for the quote's first line) and whether it was deleted.
     */
    static final String MESSAGE_COLUMNS = "m.room, m.seq, m.author_id, m.author_name, m.text, m.sent_at_ms, "
            + "m.client_id, m.edited_at_ms, m.deleted_at_ms, m.reply_to_seq, q.author_name, substr(q.text, 1, "
            + Quote.READ_CHARS + "), q.deleted_at_ms";

    /** The message a message of {@code m} answers, as it now is; none for the rest (or if retention took it). */
    static final String QUOTED = " LEFT JOIN messages q ON q.room = m.room AND q.seq = m.reply_to_seq";

    /** Messages named {@code m}, each with the one it answers. */
    static final String MESSAGES = " FROM messages m" + QUOTED;

    // ---- changes to messages (V6): each an events row with the room's next seq, and its message updated

    /** A message as a change finds it, locked by the room row the writer claimed first. */
    static final String SELECT_MESSAGE = "SELECT " + MESSAGE_COLUMNS + MESSAGES + " WHERE m.room = ? AND m.seq = ?";

    static final String EDIT_MESSAGE = "UPDATE messages SET text = ?, edited_at_ms = ? WHERE room = ? AND seq = ?";

    static final String DELETE_MESSAGE_TEXT = "UPDATE messages SET text = '', deleted_at_ms = ? WHERE room = ? AND seq = ?";

    /** A deletion takes the text of the message's earlier edits too. */
    static final String DELETE_EDIT_TEXTS = "UPDATE events SET text = NULL WHERE room = ? AND target_seq = ?";

    static final String INSERT_EVENT = """
            INSERT INTO events (room, seq, kind, target_seq, author_id, text, at_ms, client_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    /** A deletion takes the message's reactions: only the events that added them remain. */
    static final String DELETE_REACTIONS = "DELETE FROM reactions WHERE room = ? AND target_seq = ?";

    /** Adds a reaction unless that person reacted so already (then it counts 0 rows). */
    static final String INSERT_REACTION = """
            INSERT INTO reactions (room, target_seq, emoji, user_id, user_name, seq) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (room, target_seq, emoji, user_id) DO NOTHING""";

    static final String REMOVE_REACTION = "DELETE FROM reactions WHERE room = ? AND target_seq = ? AND emoji = ? AND user_id = ?";

    static final String COUNT_REACTIONS = "SELECT count(*) FROM reactions WHERE room = ? AND target_seq = ?";

    /** The reactions to a room's messages from one seq to another, in the order they were made per message. */
    static final String SELECT_REACTIONS = """
            SELECT target_seq, emoji, user_id, user_name FROM reactions
             WHERE room = ? AND target_seq >= ? AND target_seq <= ? ORDER BY target_seq, seq""";

    /** Event columns first (seq, kind, author, text), then the changed message as it now is. */
    static final String EVENT_COLUMNS = "e.seq, e.kind, e.author_id, e.text, " + MESSAGE_COLUMNS;

    /** Events named {@code e}, each with the message it changes, as it now is. */
    private static final String EVENTS = " FROM events e JOIN messages m ON m.room = e.room AND m.seq = e.target_seq" + QUOTED;

    /** A change retried with its client id: what it did the first time. */
    static final String SELECT_EVENT_BY_CLIENT_ID = "SELECT " + EVENT_COLUMNS + EVENTS + """

            WHERE e.client_id = ? AND e.room = ? AND e.author_id = ?""";

    /** A room's changes after a seq, each with its message as it now is. */
    static final String SELECT_EVENTS_AFTER = "SELECT " + EVENT_COLUMNS + EVENTS + """

            WHERE e.room = ? AND e.seq > ? ORDER BY e.seq LIMIT ?""";

    static final String SELECT_BY_CLIENT_ID = "SELECT " + MESSAGE_COLUMNS + MESSAGES + """

            WHERE m.room = ? AND m.author_id = ? AND m.client_id = ?""";

    static final String SELECT_BEFORE = "SELECT " + MESSAGE_COLUMNS + MESSAGES + """

            WHERE m.room = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?""";

    static final String SELECT_AFTER = "SELECT " + MESSAGE_COLUMNS + MESSAGES + """

            WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?""";

    /**
     * All of a room's events after a seq, in seq order: an export. Columns: seq, kind ('message', 'edit',
     * 'delete', 'react', 'unreact'), the message's seq (for a message: the one it answers, or null), time,
     * author id, author name (messages only), text (null for a deletion and for an edit whose message was
     * deleted since; the emoji of a reaction), edited and deleted times (messages only).
     */
    static final String SELECT_AFTER_ALL = """
            SELECT seq, 'message', reply_to_seq, sent_at_ms, author_id, author_name, text, edited_at_ms, deleted_at_ms
              FROM messages WHERE room = ? AND seq > ?
            UNION ALL
            SELECT seq, kind, target_seq, at_ms, author_id, NULL, text, NULL, NULL
              FROM events WHERE room = ? AND seq > ?
            ORDER BY 1""";

    /** Public rooms only: the first parameter is the private rooms' prefix followed by {@code %}. */
    static final String SELECT_ACTIVE_ROOMS =
            "SELECT room FROM rooms WHERE room NOT LIKE ? ORDER BY last_active_us DESC LIMIT ?";

    /** The last seq of each of {@code rooms} rooms that has a row; a room without one has no messages. */
    static String selectLastSeqs(int rooms) {
        return "SELECT room, last_seq FROM rooms WHERE room IN (" + "?, ".repeat(rooms - 1) + "?)";
    }

    /** Rooms and their counters in name order, a page after the given name: how the pruner walks them. */
    static final String SELECT_ROOMS_AFTER = "SELECT room, last_seq FROM rooms WHERE room > ? ORDER BY room LIMIT ?";

    /** A room's oldest messages, seq and time only: what the pruner decides on. */
    static final String SELECT_OLDEST = "SELECT seq, sent_at_ms FROM messages WHERE room = ? ORDER BY seq LIMIT ?";

    /** Prunes from the oldest end of a room; the counter row stays, so seqs are never used twice. */
    static final String DELETE_UP_TO = "DELETE FROM messages WHERE room = ? AND seq <= ?";

    /** With the messages they prune, the changes to them and any change that old. */
    static final String DELETE_EVENTS_UP_TO = "DELETE FROM events WHERE room = ? AND (target_seq <= ? OR seq <= ?)";

    /** With the messages they prune, their reactions. */
    static final String DELETE_REACTIONS_UP_TO = "DELETE FROM reactions WHERE room = ? AND target_seq <= ?";

    static final String SELECT_ANY_ROOM = "SELECT room FROM rooms LIMIT 1";

    static final String SELECT_LAST_ACTIVE = "SELECT coalesce(max(last_active_us), 0) FROM rooms";
}
