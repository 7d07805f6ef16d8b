-- Inserting a child waits for an uncommitted delete of its parent, then fails with 23503.
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE transfers (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts);
INSERT INTO accounts VALUES (1);
BEGIN;
DELETE FROM accounts WHERE id = 1;
-- b:
INSERT INTO transfers VALUES (1, 1);
-- a:
COMMIT;
SELECT count(*) FROM transfers;
