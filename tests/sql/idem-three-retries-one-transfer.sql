-- Three concurrent attempts with one key, all in one transaction each: b and c wait, and once a commits both find the key.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int);
INSERT INTO accounts VALUES ('alice', 100);
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', NULL) ON CONFLICT (key) DO NOTHING RETURNING key;
UPDATE accounts SET balance = balance - 10 WHERE id = 'alice';
UPDATE idempotency_keys SET response_code = 201 WHERE key = 'ck-1';
-- b:
INSERT INTO idempotency_keys VALUES ('ck-1', NULL) ON CONFLICT (key) DO NOTHING RETURNING key;
-- c:
INSERT INTO idempotency_keys VALUES ('ck-1', NULL) ON CONFLICT (key) DO NOTHING RETURNING key;
-- a:
COMMIT;
-- b:
SELECT response_code FROM idempotency_keys WHERE key = 'ck-1';
SELECT balance FROM accounts;
