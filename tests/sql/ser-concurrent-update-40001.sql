-- SERIALIZABLE: updating a row changed since the snapshot fails with 40001, as in REPEATABLE READ.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = 90 WHERE id = 1;
-- a:
UPDATE accounts SET balance = 80 WHERE id = 1;
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
