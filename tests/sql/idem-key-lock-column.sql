-- The key row carries a lock: a second request claims it with a guarded UPDATE and gets 0 rows while the first holds it.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, locked_at timestamptz, recovery_point text NOT NULL DEFAULT 'started');
INSERT INTO idempotency_keys (key, locked_at) VALUES ('ck-1', now());
-- b:
UPDATE idempotency_keys SET locked_at = now() WHERE key = 'ck-1' AND locked_at IS NULL RETURNING key;
-- a:
UPDATE idempotency_keys SET recovery_point = 'finished', locked_at = NULL WHERE key = 'ck-1';
-- b:
UPDATE idempotency_keys SET locked_at = now() WHERE key = 'ck-1' AND locked_at IS NULL RETURNING key, recovery_point;
