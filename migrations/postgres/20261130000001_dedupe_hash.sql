-- Duplicates are found by a 64-bit hash of (installation, source, dedupe key) instead of an
-- index on those four text columns. Dedupe keys are random (a body's SHA-256), so each new
-- event lands on a random page of that index: with entries an eighth the size, the index stays
-- a fraction of the cache and each insert moves less (docs/benchmarks.md). Events stored before
-- this migration get their hash when the server starts (`SqlStore::connect`), before it takes
-- any delivery.
ALTER TABLE webhook_events ADD COLUMN dedupe_hash BIGINT;
CREATE INDEX webhook_events_by_dedupe_hash ON webhook_events (dedupe_hash);
DROP INDEX webhook_events_by_dedupe;
