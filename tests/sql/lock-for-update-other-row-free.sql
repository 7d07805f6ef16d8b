-- Row locks are per row: another row is free.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
UPDATE accounts SET balance = 0 WHERE id = 2;
-- a:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
