-- READ COMMITTED: each statement sees what has committed before it started.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = 50 WHERE id = 1;
INSERT INTO accounts VALUES (2, 7);
-- a:
SELECT id, balance FROM accounts ORDER BY id;
COMMIT;
