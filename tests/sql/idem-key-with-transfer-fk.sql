-- The key references its transfer: a key pointing at a transfer that does not exist is refused (23503).
CREATE TABLE transfers (id bigint PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY, transfer_id bigint REFERENCES transfers);
BEGIN;
INSERT INTO transfers VALUES (1, 25);
INSERT INTO idempotency_keys VALUES ('ck-1', 1);
COMMIT;
INSERT INTO idempotency_keys VALUES ('ck-2', 2);
SELECT k.key, t.amount FROM idempotency_keys k JOIN transfers t ON t.id = k.transfer_id ORDER BY k.key;
