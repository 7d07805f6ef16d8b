-- Key, debit and stored response in one transaction: the retry's key insert waits, then finds the key and reads the stored response.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int, response_body jsonb);
INSERT INTO accounts VALUES ('alice', 10000), ('bob', 0);
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key;
UPDATE accounts SET balance = balance - 2500 WHERE id = 'alice';
UPDATE accounts SET balance = balance + 2500 WHERE id = 'bob';
-- b:
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key;
-- a:
UPDATE idempotency_keys SET response_code = 201, response_body = '{"transfer": "t1", "amount": 2500}' WHERE key = 'ck-1';
COMMIT;
-- b:
SELECT response_code, response_body FROM idempotency_keys WHERE key = 'ck-1';
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
