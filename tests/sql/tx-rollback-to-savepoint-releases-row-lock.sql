-- ROLLBACK TO SAVEPOINT releases the row locks taken after the savepoint: a waiter proceeds.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SAVEPOINT s;
UPDATE accounts SET balance = 0 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance + 5 WHERE id = 1;
-- a:
ROLLBACK TO SAVEPOINT s;
SELECT balance FROM accounts WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
