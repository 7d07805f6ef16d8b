-- Two FOR SHARE holders both try to upgrade to an UPDATE: a deadlock.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- a:
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance - 20 WHERE id = 1;
ROLLBACK;
-- a:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
