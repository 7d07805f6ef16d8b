-- 23503 in a block fails the block.
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE transfers (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts);
BEGIN;
INSERT INTO accounts VALUES (1);
INSERT INTO transfers VALUES (1, 2);
INSERT INTO transfers VALUES (2, 1);
COMMIT;
SELECT count(*) FROM accounts;
