-- An error inside a block aborts the transaction at once: its row locks go before the ROLLBACK.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 100), (2, 0);
BEGIN;
UPDATE accounts SET balance = 50 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 1 WHERE id = 2;
SELECT 1;
ROLLBACK;
SELECT id, balance FROM accounts ORDER BY id;
