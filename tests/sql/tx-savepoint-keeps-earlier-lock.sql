-- ROLLBACK TO SAVEPOINT keeps the locks taken before the savepoint: the waiter still waits.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 90 WHERE id = 1;
SAVEPOINT s;
UPDATE accounts SET balance = 80 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance + 5 WHERE id = 1;
-- a:
ROLLBACK TO SAVEPOINT s;
SELECT balance FROM accounts WHERE id = 1;
COMMIT;
-- b:
SELECT balance FROM accounts WHERE id = 1;
