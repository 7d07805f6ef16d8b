-- Deleting a parent waits for an uncommitted child insert, then fails with 23503.
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE transfers (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts);
INSERT INTO accounts VALUES (1);
BEGIN;
INSERT INTO transfers VALUES (1, 1);
-- b:
DELETE FROM accounts WHERE id = 1;
-- a:
COMMIT;
SELECT count(*) FROM accounts;
