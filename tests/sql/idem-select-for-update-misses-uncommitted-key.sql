-- A retry that locks the key row with SELECT ... FOR UPDATE does not wait for an uncommitted insert of it: it finds no row.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int);
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', NULL);
-- b:
BEGIN;
SELECT key, response_code FROM idempotency_keys WHERE key = 'ck-1' FOR UPDATE;
INSERT INTO idempotency_keys VALUES ('ck-1', NULL);
-- a:
UPDATE idempotency_keys SET response_code = 201 WHERE key = 'ck-1';
COMMIT;
-- b:
ROLLBACK;
SELECT key, response_code FROM idempotency_keys;
