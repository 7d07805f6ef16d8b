-- A SERIALIZABLE transaction beside a READ COMMITTED writer: its snapshot holds and its own update of the changed row fails with 40001.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT sum(balance) FROM accounts;
-- b:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- a:
SELECT sum(balance) FROM accounts;
UPDATE accounts SET balance = 0 WHERE id = 2;
UPDATE accounts SET balance = 0 WHERE id = 1;
ROLLBACK;
