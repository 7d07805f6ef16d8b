-- REPEATABLE READ: every read of the block sees the snapshot of its first query.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = 50 WHERE id = 1;
INSERT INTO accounts VALUES (2, 1);
-- a:
SELECT id, balance FROM accounts ORDER BY id;
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
