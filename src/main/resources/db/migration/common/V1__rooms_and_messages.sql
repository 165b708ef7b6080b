-- Shared by SQLite and PostgreSQL: only types and syntax that both accept.
-- Times are epoch numbers (BIGINT), not TIMESTAMP: both databases store and compare them the same
-- way, with no time-zone conversion in the driver.

-- One row per room that has messages. last_seq is the room's latest sequence number: the writer
-- claims the next ones with an upsert on this row, in the transaction that stores the messages, so
-- numbering is gap-free and survives restarts and failed transactions without any state outside.
-- last_active_us orders "rooms most recently active" (see JdbcMessageStore).
CREATE TABLE rooms (
    room           TEXT   NOT NULL PRIMARY KEY,
    last_seq       BIGINT NOT NULL CHECK (last_seq >= 1),
    last_active_us BIGINT NOT NULL
);

CREATE INDEX rooms_by_last_active ON rooms (last_active_us);

-- The primary key (room, seq) is the index every read uses: a range of one room's sequence numbers.
-- The length check is a backstop: JdbcMessageStore refuses longer text before it reaches a batch,
-- so one hostile message cannot fail the transaction of the messages written with it.
CREATE TABLE messages (
    room        TEXT   NOT NULL REFERENCES rooms (room),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    author_id   TEXT   NOT NULL,
    author_name TEXT   NOT NULL,
    text        TEXT   NOT NULL CHECK (length(text) <= 16000),
    sent_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (room, seq)
);
