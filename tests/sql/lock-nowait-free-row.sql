-- NOWAIT on a free row locks it like FOR UPDATE.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE NOWAIT;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE NOWAIT;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE NOWAIT;
-- a:
COMMIT;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR SHARE NOWAIT;
