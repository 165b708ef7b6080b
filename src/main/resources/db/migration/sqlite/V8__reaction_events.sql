-- SQLite only (PostgreSQL's V8 changes the constraint in place): events may now be reactions too. SQLite
-- cannot alter a CHECK constraint, so the table is rebuilt with the new one, every row kept.
CREATE TABLE events_v8 (
    room       TEXT   NOT NULL REFERENCES rooms (room),
    seq        BIGINT NOT NULL CHECK (seq >= 1),
    kind       TEXT   NOT NULL CHECK (kind IN ('edit', 'delete', 'react', 'unreact')),
    target_seq BIGINT NOT NULL CHECK (target_seq >= 1),
    author_id  TEXT   NOT NULL,
    text       TEXT   CHECK (length(text) <= 16000),
    at_ms      BIGINT NOT NULL,
    client_id  TEXT,
    PRIMARY KEY (room, seq)
);

INSERT INTO events_v8 (room, seq, kind, target_seq, author_id, text, at_ms, client_id)
SELECT room, seq, kind, target_seq, author_id, text, at_ms, client_id FROM events;

DROP TABLE events;

ALTER TABLE events_v8 RENAME TO events;

CREATE INDEX events_by_target ON events (room, target_seq);

CREATE UNIQUE INDEX events_by_client_id ON events (client_id, room, author_id) WHERE client_id IS NOT NULL;
