-- The safe read-modify-write: FOR UPDATE makes b read the value a committed.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- a:
UPDATE accounts SET balance = 70 WHERE id = 1;
COMMIT;
-- b:
UPDATE accounts SET balance = 50 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
