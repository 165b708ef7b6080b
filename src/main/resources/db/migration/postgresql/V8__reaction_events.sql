-- PostgreSQL only (SQLite's V8 rebuilds the table): events may now be reactions too.
ALTER TABLE events DROP CONSTRAINT events_kind_check;

ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN ('edit', 'delete', 'react', 'unreact'));
