-- Key, debit and response in one transaction that rolls back: the waiting retry's key insert goes in and the retry does the transfer, once.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int, response_body jsonb);
INSERT INTO accounts VALUES ('alice', 10000), ('bob', 0);
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1');
UPDATE accounts SET balance = balance - 2500 WHERE id = 'alice';
-- b:
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key;
-- a:
ROLLBACK;
-- b:
UPDATE accounts SET balance = balance - 2500 WHERE id = 'alice';
UPDATE accounts SET balance = balance + 2500 WHERE id = 'bob';
UPDATE idempotency_keys SET response_code = 201 WHERE key = 'ck-1';
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
SELECT key, response_code FROM idempotency_keys;
