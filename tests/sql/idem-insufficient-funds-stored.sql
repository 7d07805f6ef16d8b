-- A declined transfer stores its response too: the guarded debit changes 0 rows, the key records 402, and a retry reads it.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int);
INSERT INTO accounts VALUES ('alice', 10);
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', NULL);
UPDATE accounts SET balance = balance - 25 WHERE id = 'alice' AND balance >= 25;
UPDATE idempotency_keys SET response_code = 402 WHERE key = 'ck-1';
COMMIT;
-- b:
INSERT INTO idempotency_keys VALUES ('ck-1', NULL) ON CONFLICT (key) DO NOTHING;
SELECT response_code FROM idempotency_keys WHERE key = 'ck-1';
SELECT balance FROM accounts;
