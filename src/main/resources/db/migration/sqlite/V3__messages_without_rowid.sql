-- SQLite only (PostgreSQL has no rowid and no WITHOUT ROWID; it has no V3).
--
-- messages as a WITHOUT ROWID table: the rows live in the (room, seq) primary key's B-tree, which every
-- read searches anyway, so an insert writes one B-tree instead of the table and its primary-key index.
-- The columns, constraints and the client-id index are those of V1 and V2.
CREATE TABLE messages_by_room_seq (
    room        TEXT   NOT NULL REFERENCES rooms (room),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    author_id   TEXT   NOT NULL,
    author_name TEXT   NOT NULL,
    text        TEXT   NOT NULL CHECK (length(text) <= 16000),
    sent_at_ms  BIGINT NOT NULL,
    client_id   TEXT,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;

INSERT INTO messages_by_room_seq (room, seq, author_id, author_name, text, sent_at_ms, client_id)
SELECT room, seq, author_id, author_name, text, sent_at_ms, client_id FROM messages;

DROP TABLE messages;

ALTER TABLE messages_by_room_seq RENAME TO messages;

CREATE UNIQUE INDEX messages_by_client_id ON messages (room, author_id, client_id) WHERE client_id IS NOT NULL;
