-- The snapshot is taken at the first query, not at BEGIN: a commit in between is seen.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
-- b:
UPDATE accounts SET balance = 50 WHERE id = 1;
-- a:
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = 25 WHERE id = 1;
-- a:
SELECT balance FROM accounts WHERE id = 1;
COMMIT;
