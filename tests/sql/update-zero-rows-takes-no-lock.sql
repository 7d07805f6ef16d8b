-- An UPDATE whose WHERE matches nothing locks nothing: another writer does not wait.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1 AND balance > 1000;
-- b:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- a:
COMMIT;
SELECT balance FROM accounts;
