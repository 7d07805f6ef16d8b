-- SERIALIZABLE: two transactions each read and update only their own row of one table (by primary key): both commit.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = 2;
UPDATE accounts SET balance = balance - 10 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
