-- The lost update with the writer in autocommit: b's read is stale, its absolute write wins.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
-- b:
UPDATE accounts SET balance = 100 - 20 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
