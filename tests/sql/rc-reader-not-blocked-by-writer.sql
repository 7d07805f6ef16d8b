-- A plain SELECT never waits for a row lock: it reads the last committed version.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
DELETE FROM accounts WHERE id = 1;
-- b:
SELECT id, balance FROM accounts;
SELECT count(*) FROM accounts;
-- a:
COMMIT;
-- b:
SELECT count(*) FROM accounts;
