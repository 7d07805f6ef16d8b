-- REPEATABLE READ: if the writer it waited for rolls back, the update goes through.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 20 WHERE id = 1 RETURNING balance;
-- b:
ROLLBACK;
-- a:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
