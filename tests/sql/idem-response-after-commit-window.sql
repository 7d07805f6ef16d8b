-- Stored response written after the commit: a retry between the commit and the write finds the key and its transfer but no response, and must not move money again.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY, transfer_id bigint, response_body jsonb);
CREATE TABLE transfers (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, amount bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 0);
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1');
INSERT INTO transfers VALUES (1, 'ck-1', 30);
UPDATE accounts SET balance = balance - 30 WHERE id = 'alice';
UPDATE accounts SET balance = balance + 30 WHERE id = 'bob';
UPDATE idempotency_keys SET transfer_id = 1 WHERE key = 'ck-1';
COMMIT;
-- b:
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING;
SELECT k.key, k.transfer_id, k.response_body, t.amount FROM idempotency_keys k LEFT JOIN transfers t ON t.id = k.transfer_id WHERE k.key = 'ck-1';
-- a:
UPDATE idempotency_keys SET response_body = '{"status": 201, "transfer": 1}' WHERE key = 'ck-1' AND response_body IS NULL;
-- b:
SELECT response_body FROM idempotency_keys WHERE key = 'ck-1';
SELECT id, balance FROM accounts ORDER BY id;
