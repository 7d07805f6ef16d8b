-- The deadlock victim retries its transfer after the survivor commits, and succeeds.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
UPDATE accounts SET balance = balance - 5 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 7 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance + 5 WHERE id = 2;
-- b:
UPDATE accounts SET balance = balance + 7 WHERE id = 1;
ROLLBACK;
-- a:
COMMIT;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 7 WHERE id = 2;
UPDATE accounts SET balance = balance + 7 WHERE id = 1;
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
