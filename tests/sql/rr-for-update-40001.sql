-- REPEATABLE READ: SELECT ... FOR UPDATE of a row changed since the snapshot fails with 40001.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM accounts;
-- b:
UPDATE accounts SET balance = 1 WHERE id = 1;
-- a:
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
ROLLBACK;
