-- The debit violates balance >= 0 inside the key's transaction: the whole block fails, and the key is gone after ROLLBACK.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int);
INSERT INTO accounts VALUES ('alice', 10);
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', NULL);
UPDATE accounts SET balance = balance - 25 WHERE id = 'alice';
UPDATE idempotency_keys SET response_code = 402 WHERE key = 'ck-1';
ROLLBACK;
SELECT count(*) FROM idempotency_keys;
