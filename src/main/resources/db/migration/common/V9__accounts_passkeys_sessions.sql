-- Shared by SQLite and PostgreSQL.
--
-- Accounts: a guest who kept their name with a passkey. user_id is the guest id they had, so every
-- message they sent before stays theirs. name_key is the name folded the way lookalikes are told apart
-- (case, accents, digits that pass for letters, letters of other scripts that look Latin: see
-- chatroom.account.NameKey): one account per key, so nobody else can take the name nor a name that
-- looks like it. changed_ms lets every node pick up what changed (a rename, a new account) within a
-- second by polling, with no other channel.
CREATE TABLE accounts (
    user_id    TEXT   PRIMARY KEY,
    name       TEXT   NOT NULL,
    name_key   TEXT   NOT NULL UNIQUE,
    role       TEXT   NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'owner')),
    created_ms BIGINT NOT NULL,
    changed_ms BIGINT NOT NULL
);
CREATE INDEX accounts_changed ON accounts (changed_ms);

-- A passkey: the credential id and the attested credential data (AAGUID, credential id and public key,
-- as WebAuthn serialises them) in base64url, and the signature counter last seen, which must grow (a
-- counter going back means a cloned authenticator). A passkey that never counts stays at 0.
CREATE TABLE passkeys (
    credential_id TEXT   PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES accounts (user_id),
    credential    TEXT   NOT NULL,
    sign_count    BIGINT NOT NULL,
    created_ms    BIGINT NOT NULL,
    last_used_ms  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A signed-in browser. The cookie holds a random 256-bit id; only its SHA-256 is kept here, so a copy of
-- the database signs nobody in. revoked_ms is set by signing out (or ending the session from another
-- device): the row stays until it expires so that every node hears of the revocation.
CREATE TABLE sessions (
    id_hash      TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL REFERENCES accounts (user_id),
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    user_agent   TEXT   NOT NULL,
    address      TEXT   NOT NULL,
    revoked_ms   BIGINT,
    changed_ms   BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_changed ON sessions (changed_ms);

-- A WebAuthn challenge handed out and not yet answered: its SHA-256, what it is for ('claim' by the guest
-- user_id, 'add-passkey' by the account user_id, or 'sign-in' by anyone) and when it stops being accepted. Answering deletes the row, so a
-- challenge is good once, on whichever node the answer reaches.
CREATE TABLE challenges (
    id_hash    TEXT   PRIMARY KEY,
    purpose    TEXT   NOT NULL CHECK (purpose IN ('claim', 'sign-in', 'add-passkey')),
    user_id    TEXT,
    expires_ms BIGINT NOT NULL
);
