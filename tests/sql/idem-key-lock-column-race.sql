-- Two requests claim the key's lock at once: the second UPDATE waits and, re-checking locked_at IS NULL on the new version, claims nothing.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, locked_by text);
INSERT INTO idempotency_keys VALUES ('ck-1', NULL);
BEGIN;
UPDATE idempotency_keys SET locked_by = 'a' WHERE key = 'ck-1' AND locked_by IS NULL RETURNING locked_by;
-- b:
UPDATE idempotency_keys SET locked_by = 'b' WHERE key = 'ck-1' AND locked_by IS NULL RETURNING locked_by;
-- a:
COMMIT;
SELECT locked_by FROM idempotency_keys;
