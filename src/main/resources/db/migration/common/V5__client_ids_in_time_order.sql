-- Shared by SQLite and PostgreSQL.
--
-- The client-id index keyed by the id first: (client_id, room, author_id) instead of (room, author_id,
-- client_id). The page makes its ids from the clock (milliseconds first, then a count and random bytes), so
-- new entries now land at the end of the index, on one page for a whole commit, instead of on one page per
-- room and author the commit touches: with many rooms active, a batch wrote one more index page per room
-- (docs/BENCHMARKS.md, fifth session: "The client-id index leads with the id"). Ids that do not grow with
-- time (older pages, other clients) are as correct as before, only spread like the old index's. Lookups and
-- the inserts' conflict target give all three columns, so the order of the columns changes nothing they find.
-- On upgrade the index is built once from the stored ids, holding writes while it is built (on SQLite, about
-- a second per million messages on the 2-core machine of the benchmarks).
DROP INDEX messages_by_client_id;

CREATE UNIQUE INDEX messages_by_client_id ON messages (client_id, room, author_id) WHERE client_id IS NOT NULL;
