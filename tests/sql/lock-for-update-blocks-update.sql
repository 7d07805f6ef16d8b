-- An UPDATE waits for a FOR UPDATE lock; ROLLBACK releases it.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
UPDATE accounts SET balance = 1 WHERE id = 1;
-- a:
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
