-- The same two transfers locking accounts in id order wait instead of deadlocking.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id IN (1, 2) ORDER BY id FOR UPDATE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id IN (1, 2) ORDER BY id FOR UPDATE;
-- a:
UPDATE accounts SET balance = balance - 5 WHERE id = 1;
UPDATE accounts SET balance = balance + 5 WHERE id = 2;
COMMIT;
-- b:
UPDATE accounts SET balance = balance - 7 WHERE id = 2;
UPDATE accounts SET balance = balance + 7 WHERE id = 1;
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
