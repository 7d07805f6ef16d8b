-- The lost update under REPEATABLE READ: the second writer fails with 40001 instead of overwriting.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- a:
UPDATE accounts SET balance = 70 WHERE id = 1;
-- b:
UPDATE accounts SET balance = 80 WHERE id = 1;
-- a:
COMMIT;
-- b:
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
