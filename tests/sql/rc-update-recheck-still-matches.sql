-- The re-check on the new version still matches: b applies on top of a.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 30 WHERE id = 1 AND balance >= 30;
-- b:
UPDATE accounts SET balance = balance - 30 WHERE id = 1 AND balance >= 30 RETURNING balance;
-- a:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
