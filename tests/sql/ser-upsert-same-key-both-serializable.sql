-- SERIALIZABLE: both claim one key with INSERT ... ON CONFLICT DO NOTHING; the second waits, then finds the committed row it cannot see and fails with 40001.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO idempotency_keys VALUES ('k', 'a') ON CONFLICT (key) DO NOTHING;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO idempotency_keys VALUES ('k', 'b') ON CONFLICT (key) DO NOTHING;
-- a:
COMMIT;
-- b:
ROLLBACK;
SELECT key, owner FROM idempotency_keys;
