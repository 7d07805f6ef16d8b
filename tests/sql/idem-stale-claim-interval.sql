-- A claim left in progress is taken over once it is older than 30 seconds, by comparing its lock time with now() less an interval.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, state text NOT NULL, locked_at timestamptz NOT NULL);
INSERT INTO idempotency_keys VALUES ('fresh', 'started', now()), ('stale', 'started', now() - interval '5 minutes');
UPDATE idempotency_keys SET locked_at = now() WHERE state = 'started' AND locked_at < now() - interval '30 seconds' RETURNING key;
SELECT key FROM idempotency_keys WHERE locked_at > now() - '1 minute'::interval ORDER BY key;
SELECT count(*) FROM idempotency_keys WHERE now() - locked_at < interval '1 hour';
