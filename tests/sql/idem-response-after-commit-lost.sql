-- The response write after the commit never happens: the transfer stands and the key points to it, so a retry can rebuild the response.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, transfer_id bigint, response_body jsonb);
CREATE TABLE transfers (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, amount bigint NOT NULL);
BEGIN;
INSERT INTO idempotency_keys (key) VALUES ('ck-1');
INSERT INTO transfers VALUES (7, 'ck-1', 30);
UPDATE idempotency_keys SET transfer_id = 7 WHERE key = 'ck-1';
COMMIT;
-- b:
BEGIN;
SELECT transfer_id, response_body FROM idempotency_keys WHERE key = 'ck-1' FOR UPDATE;
UPDATE idempotency_keys SET response_body = '{"status": 201, "transfer": 7}' WHERE key = 'ck-1' AND response_body IS NULL RETURNING response_body;
COMMIT;
SELECT count(*) FROM transfers WHERE key = 'ck-1';
