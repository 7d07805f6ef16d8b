-- When the lock holder rolls back, the waiter updates the original version.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance - 10 WHERE id = 1 AND balance >= 10 RETURNING balance;
-- a:
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
