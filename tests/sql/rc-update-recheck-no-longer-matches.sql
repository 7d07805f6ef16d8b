-- b's UPDATE waits for a's row lock, re-checks its WHERE on the committed new version, and no longer matches: 0 rows.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance - 80 WHERE id = 1 AND balance >= 80;
-- b:
UPDATE accounts SET balance = balance - 80 WHERE id = 1 AND balance >= 80 RETURNING balance;
-- a:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
