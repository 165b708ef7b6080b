-- Shared by SQLite and PostgreSQL.
--
-- Replies and reactions. A reply is a message with the seq of the message it answers (reply_to_seq, null
-- for the rest); what it shows of the original is read from the original's row as it now is, so a quote
-- never says what the replying page claimed, and shows "message deleted" once the original is.
--
-- A reaction is an event (kind 'react' or 'unreact' in events, text = the emoji; the kinds are allowed by
-- V8) that changes this table in the same transaction: who reacted to which message with what, as it now
-- is, one row per person per emoji per message. user_name is the name they had when they reacted. seq is
-- the event that added it, the order the page shows them in. A deletion removes its message's rows.
ALTER TABLE messages ADD COLUMN reply_to_seq BIGINT;

CREATE TABLE reactions (
    room       TEXT   NOT NULL REFERENCES rooms (room),
    target_seq BIGINT NOT NULL,
    emoji      TEXT   NOT NULL CHECK (length(emoji) <= 16),
    user_id    TEXT   NOT NULL,
    user_name  TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (room, target_seq, emoji, user_id)
);
