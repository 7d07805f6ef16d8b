-- READ COMMITTED lost update: both sessions read the balance, then write the
-- value they computed; b waits for a's row lock and then overwrites a's debit.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1;
-- a:
UPDATE accounts SET balance = 70 WHERE id = 1;
-- b:
UPDATE accounts SET balance = 80 WHERE id = 1;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
