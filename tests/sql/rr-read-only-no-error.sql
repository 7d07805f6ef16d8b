-- A REPEATABLE READ transaction that only reads never fails, whatever commits meanwhile.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 0);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT sum(balance) FROM accounts;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 40 WHERE id = 1;
UPDATE accounts SET balance = balance + 40 WHERE id = 2;
COMMIT;
-- a:
SELECT id, balance FROM accounts ORDER BY id;
COMMIT;
