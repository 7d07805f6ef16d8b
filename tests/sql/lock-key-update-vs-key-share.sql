-- An UPDATE of the key takes FOR UPDATE: FOR KEY SHARE waits for it.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET id = 2 WHERE id = 1;
-- b:
SELECT id, balance FROM accounts WHERE balance = 100 FOR KEY SHARE;
-- a:
COMMIT;
