-- "Insert if absent" as INSERT ... SELECT ... WHERE NOT EXISTS, without a unique key: under READ COMMITTED two sessions both find the key absent and both insert it.
CREATE TABLE idempotency_keys (key text NOT NULL, state text NOT NULL);
BEGIN;
INSERT INTO idempotency_keys (key, state) SELECT 'k', 'started' WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k');
-- b:
BEGIN;
INSERT INTO idempotency_keys (key, state) SELECT 'k', 'started' WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k');
-- a:
COMMIT;
-- b:
COMMIT;
INSERT INTO idempotency_keys (key, state) SELECT 'k', 'started' WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k');
SELECT key, state FROM idempotency_keys ORDER BY key;
