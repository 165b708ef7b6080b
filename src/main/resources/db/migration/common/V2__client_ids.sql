-- Shared by SQLite and PostgreSQL.

-- The id the sender's page gave a message, so that a send retried after a lost acknowledgement (or sent
-- again to another node) is stored once: the writer looks it up after claiming the room's seqs and
-- completes the retry with the message stored the first time. Null for messages sent without one; NULLs
-- are distinct in a unique index in both databases, and the partial index leaves those rows out of it.
ALTER TABLE messages ADD COLUMN client_id TEXT;

CREATE UNIQUE INDEX messages_by_client_id ON messages (room, author_id, client_id) WHERE client_id IS NOT NULL;
