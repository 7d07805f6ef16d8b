-- SELECT ... FOR UPDATE queue: b and c wait in turn, each getting the row when the one before ends.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- c:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- a:
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
COMMIT;
-- b:
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
COMMIT;
-- c:
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
