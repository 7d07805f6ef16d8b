-- A transaction's changes are invisible to others until it commits.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 50 WHERE id = 1;
INSERT INTO accounts VALUES (2, 50);
SELECT id, balance FROM accounts ORDER BY id;
-- b:
SELECT id, balance FROM accounts ORDER BY id;
-- a:
COMMIT;
-- b:
SELECT id, balance FROM accounts ORDER BY id;
