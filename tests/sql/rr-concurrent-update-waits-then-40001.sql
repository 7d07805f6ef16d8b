-- REPEATABLE READ: the update waits for the uncommitted writer, and fails with 40001 when it commits.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
-- b:
COMMIT;
-- a:
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
