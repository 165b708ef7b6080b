-- Shared by SQLite and PostgreSQL.
--
-- An invitation to become an owner, made by `chatroom admin invite` beside the running server: only the
-- SHA-256 of the link's token is kept. The first account to accept it becomes an owner (used_by, used_ms
-- are set, so a second opener is told it was used, not that it never existed); it is refused after
-- expires_ms.
CREATE TABLE invites (
    id_hash    TEXT   PRIMARY KEY,
    role       TEXT   NOT NULL CHECK (role IN ('owner')),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_by    TEXT,
    used_ms    BIGINT
);

-- Settings owners change on /admin (today: guests, what visitors without an account may do), kept here so
-- that every node, and the server after a restart, goes by them; changed_ms as for accounts.
CREATE TABLE settings (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    changed_ms BIGINT NOT NULL
);

-- A link that signs another device in to an account (shown, with its QR code, on a signed-in device):
-- only its token's SHA-256 is kept; good once, for ten minutes.
CREATE TABLE device_links (
    id_hash    TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES accounts (user_id),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT
);
