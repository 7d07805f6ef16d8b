-- A child insert takes FOR KEY SHARE on its parent: it does not wait for an update of a non-key column.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE ledger (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- b:
INSERT INTO ledger VALUES (1, 1, -10);
-- a:
COMMIT;
SELECT count(*) FROM ledger;
