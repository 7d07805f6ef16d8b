-- Two FOR SHARE locks on a row coexist; an UPDATE waits for both.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- c:
UPDATE accounts SET balance = 0 WHERE id = 1;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
