-- An UPDATE of a non-key column takes FOR NO KEY UPDATE: FOR KEY SHARE does not wait for it, FOR SHARE does.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 5 WHERE id = 1;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR KEY SHARE;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- a:
COMMIT;
