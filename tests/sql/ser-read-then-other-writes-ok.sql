-- SERIALIZABLE: one transaction writes what the other only read, and nothing more: both commit.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE audit (id int PRIMARY KEY, total bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT sum(balance) FROM accounts;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE accounts SET balance = 0 WHERE id = 2;
COMMIT;
-- a:
INSERT INTO audit VALUES (1, 200);
COMMIT;
SELECT id, total FROM audit;
