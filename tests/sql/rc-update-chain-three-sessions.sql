-- Three relative updates of one row queue up and all apply, in commit order.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
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
