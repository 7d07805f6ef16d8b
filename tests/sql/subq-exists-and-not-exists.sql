-- [NOT] EXISTS with a subquery that names only its own table.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, state text NOT NULL);
INSERT INTO idempotency_keys VALUES ('k1', 'done');
SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k1') AS k1, EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k2') AS k2;
SELECT NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE state = 'started') AS idle;
SELECT key FROM idempotency_keys WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE state = 'done');
