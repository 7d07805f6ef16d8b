-- SELECT ... FOR UPDATE queue: b and c wait in turn, each getting the row when
-- the one before ends. (a only locks the row: had it updated it, b and c would
-- both chase the new version when a commits, and either may win.)
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
COMMIT;
-- b:
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
COMMIT;
-- c:
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
