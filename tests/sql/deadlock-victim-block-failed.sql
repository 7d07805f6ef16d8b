-- The deadlock victim's block is failed (25P02) until ROLLBACK; the survivor's changes commit.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance + 10 WHERE id = 2;
-- b:
UPDATE accounts SET balance = balance + 10 WHERE id = 1;
UPDATE accounts SET balance = 0 WHERE id = 2;
COMMIT;
-- a:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
