-- The retry uses a plain INSERT of the key: it waits, fails with 23505 when the first commits, and its block is failed.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int);
INSERT INTO accounts VALUES ('alice', 100);
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', 201);
UPDATE accounts SET balance = balance - 25 WHERE id = 'alice';
-- b:
BEGIN;
INSERT INTO idempotency_keys VALUES ('ck-1', 201);
-- a:
COMMIT;
-- b:
UPDATE accounts SET balance = balance - 25 WHERE id = 'alice';
ROLLBACK;
SELECT response_code FROM idempotency_keys WHERE key = 'ck-1';
SELECT balance FROM accounts;
