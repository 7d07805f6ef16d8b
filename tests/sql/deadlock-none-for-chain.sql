-- A chain of waits with no cycle is no deadlock: c waits on b, b waits on a, and all finish.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 0), (2, 0);
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = 2;
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- c:
UPDATE accounts SET balance = balance + 1 WHERE id = 2;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
