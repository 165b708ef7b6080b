-- Shared by SQLite and PostgreSQL.
--
-- Messages that change. A room's sequence numbers now number every event, not only messages: a message
-- keeps its row in messages (seq = the event that posted it), and each later change to it is a row here,
-- with the room's next seq claimed from rooms.last_seq in the same transaction as a message would be, and
-- the seq of the message it changes (target_seq). The message row itself is updated in that transaction
-- to what it now is, so a page of history reads the current state from messages alone, while a page
-- coming back after seq N reads the events after N from both tables, in seq order.
--
-- kind: 'edit' (text is the new text) or 'delete' (text is null). A deleted message's text is removed
-- from its row and from its earlier edits' rows, not hidden: what remains is the events and who deleted
-- it. client_id, as for messages: a change retried after a lost acknowledgement is applied once.
ALTER TABLE messages ADD COLUMN edited_at_ms BIGINT;

ALTER TABLE messages ADD COLUMN deleted_at_ms BIGINT;

CREATE TABLE events (
    room       TEXT   NOT NULL REFERENCES rooms (room),
    seq        BIGINT NOT NULL CHECK (seq >= 1),
    kind       TEXT   NOT NULL CHECK (kind IN ('edit', 'delete')),
    target_seq BIGINT NOT NULL CHECK (target_seq >= 1),
    author_id  TEXT   NOT NULL,
    text       TEXT   CHECK (length(text) <= 16000),
    at_ms      BIGINT NOT NULL,
    client_id  TEXT,
    PRIMARY KEY (room, seq)
);

-- what a deletion scrubs and retention removes: a message's changes
CREATE INDEX events_by_target ON events (room, target_seq);

CREATE UNIQUE INDEX events_by_client_id ON events (client_id, room, author_id) WHERE client_id IS NOT NULL;
