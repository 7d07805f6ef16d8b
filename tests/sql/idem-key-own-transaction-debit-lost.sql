-- Key row in its own transaction, then the debit transaction rolls back (the API died): the key stays with no response and no money moved.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int, response_body jsonb);
INSERT INTO accounts VALUES ('alice', 10000), ('bob', 0);
INSERT INTO idempotency_keys (key) VALUES ('ck-1');
BEGIN;
UPDATE accounts SET balance = balance - 2500 WHERE id = 'alice';
ROLLBACK;
-- b:
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING;
SELECT key, response_code FROM idempotency_keys ORDER BY key;
SELECT id, balance FROM accounts ORDER BY id;
