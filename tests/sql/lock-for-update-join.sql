-- FOR UPDATE on a join locks the rows of both tables.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE holds (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
INSERT INTO holds VALUES (1, 1, 30);
BEGIN;
SELECT h.id, a.balance FROM holds h JOIN accounts a ON a.id = h.account_id WHERE h.id = 1 FOR UPDATE;
-- b:
UPDATE accounts SET balance = 0 WHERE id = 1;
-- a:
COMMIT;
SELECT balance FROM accounts;
