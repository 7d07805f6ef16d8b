-- A transaction sees its own uncommitted writes.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
SELECT balance FROM accounts WHERE id = 1;
DELETE FROM accounts WHERE id = 1;
SELECT count(*) FROM accounts;
ROLLBACK;
SELECT balance FROM accounts WHERE id = 1;
