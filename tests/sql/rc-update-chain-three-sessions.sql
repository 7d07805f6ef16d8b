-- Relative updates of one row queue up behind a FOR UPDATE lock and all apply,
-- in the order they began to wait. (The holder only locks the row: had it
-- updated it, both waiters would chase the new version at its commit, and
-- either may win.)
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
-- c:
BEGIN;
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
-- a:
COMMIT;
-- b:
SELECT balance FROM accounts WHERE id = 1;
COMMIT;
-- c:
SELECT balance FROM accounts WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
