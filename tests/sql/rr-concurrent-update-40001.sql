-- REPEATABLE READ: updating a row another transaction changed and committed fails with 40001.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
SELECT 1;
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
