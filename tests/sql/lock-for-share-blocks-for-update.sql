-- FOR UPDATE waits for a FOR SHARE lock.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- a:
COMMIT;
-- b:
COMMIT;
