-- Key check and debit under SERIALIZABLE: two attempts both find no key; the second insert waits, and fails with 40001 (not 23505: both are SERIALIZABLE and it read the key absent), so nothing is debited twice.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY);
INSERT INTO accounts VALUES ('alice', 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM idempotency_keys WHERE key = 'ck-1';
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM idempotency_keys WHERE key = 'ck-1';
-- a:
INSERT INTO idempotency_keys VALUES ('ck-1');
UPDATE accounts SET balance = balance - 10 WHERE id = 'alice';
-- b:
INSERT INTO idempotency_keys VALUES ('ck-1');
-- a:
COMMIT;
-- b:
ROLLBACK;
SELECT balance FROM accounts;
