-- The CHECK is evaluated on the version b finally updates: the second debit fails with 23514.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 70 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance - 70 WHERE id = 1;
-- a:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
