-- balance = balance - x in both sessions: the second waits and applies to the committed value.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 20 WHERE id = 1 RETURNING balance;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
