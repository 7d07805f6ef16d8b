-- Two transfers lock two accounts in opposite orders: the session whose wait
-- closes the cycle fails with 40P01, and the other proceeds.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 20 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance + 10 WHERE id = 2;
-- b:
UPDATE accounts SET balance = balance + 20 WHERE id = 1;
ROLLBACK;
-- a:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
