-- A key kept for 24 hours: its expiry is now() plus an interval, set by a default and by an update, and compared later.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours');
INSERT INTO idempotency_keys (key) VALUES ('k1');
INSERT INTO idempotency_keys VALUES ('k2', now() - interval '1 second');
SELECT key FROM idempotency_keys WHERE expires_at > now() ORDER BY key;
UPDATE idempotency_keys SET expires_at = expires_at + interval '1 day' WHERE key = 'k2';
SELECT key, expires_at - now() > interval '23 hours' AS long FROM idempotency_keys ORDER BY key;
DELETE FROM idempotency_keys WHERE expires_at < now() + interval '2 days' RETURNING key;
