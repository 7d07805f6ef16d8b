-- NOWAIT on a row an uncommitted UPDATE holds: 55P03; after the commit it succeeds.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 99 WHERE id = 1;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR NO KEY UPDATE NOWAIT;
SELECT balance FROM accounts WHERE id = 1 FOR KEY SHARE NOWAIT;
-- a:
COMMIT;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE NOWAIT;
