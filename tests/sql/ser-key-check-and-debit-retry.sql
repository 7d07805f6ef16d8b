-- SERIALIZABLE idempotency: the loser of a key race fails with 40001, retries, and then finds the key, so the account is debited once.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response text NOT NULL);
INSERT INTO accounts VALUES ('alice', 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT response FROM idempotency_keys WHERE key = 'k';
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT response FROM idempotency_keys WHERE key = 'k';
UPDATE accounts SET balance = balance - 10 WHERE id = 'alice';
-- a:
UPDATE accounts SET balance = balance - 10 WHERE id = 'alice';
-- b:
INSERT INTO idempotency_keys VALUES ('k', 'paid');
COMMIT;
-- a:
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT response FROM idempotency_keys WHERE key = 'k';
COMMIT;
SELECT balance FROM accounts;
