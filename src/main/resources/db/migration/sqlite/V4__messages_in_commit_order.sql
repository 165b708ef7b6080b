-- SQLite only (PostgreSQL's heap tables already work this way; it has no V4).
--
-- messages as a rowid table again, with the (room, seq) primary key as its own index, as in V1. Measured
-- against V3's WITHOUT ROWID table (docs/BENCHMARKS.md, "Store throughput"): a batch spreads its rows over
-- many rooms, and in a table keyed by (room, seq) every room's insertion point is a different leaf in the
-- middle of the tree, so a batch of 512 messages over 100 rooms dirtied ~320 pages of 4 KiB (2.6 KB of WAL
-- per message) and left pages half full after each split. Rows of a rowid table are appended at the end of
-- the table, filling whole pages in commit order; only the index, whose entries are a tenth the size, is
-- written at one leaf per room: ~120 pages per such batch, and ~20 % less of the writer's CPU per message.
-- Reads search the same (room, seq) index and then fetch each row by rowid.
CREATE TABLE messages_in_commit_order (
    room        TEXT   NOT NULL REFERENCES rooms (room),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    author_id   TEXT   NOT NULL,
    author_name TEXT   NOT NULL,
    text        TEXT   NOT NULL CHECK (length(text) <= 16000),
    sent_at_ms  BIGINT NOT NULL,
    client_id   TEXT,
    PRIMARY KEY (room, seq)
);

INSERT INTO messages_in_commit_order (room, seq, author_id, author_name, text, sent_at_ms, client_id)
SELECT room, seq, author_id, author_name, text, sent_at_ms, client_id FROM messages;

DROP TABLE messages;

ALTER TABLE messages_in_commit_order RENAME TO messages;

CREATE UNIQUE INDEX messages_by_client_id ON messages (room, author_id, client_id) WHERE client_id IS NOT NULL;
