-- Key row inserted in its own transaction before the debit: a retry arriving between the two finds the key without a response (in progress).
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int, response_body jsonb, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO accounts VALUES ('alice', 10000), ('bob', 0);
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key;
-- b:
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key;
SELECT response_code, response_body FROM idempotency_keys WHERE key = 'ck-1';
-- a:
BEGIN;
UPDATE accounts SET balance = balance - 2500 WHERE id = 'alice';
UPDATE accounts SET balance = balance + 2500 WHERE id = 'bob';
COMMIT;
UPDATE idempotency_keys SET response_code = 201, response_body = '{"transfer": "t1"}' WHERE key = 'ck-1';
-- b:
SELECT response_code, response_body FROM idempotency_keys WHERE key = 'ck-1';
SELECT id, balance FROM accounts ORDER BY id;
