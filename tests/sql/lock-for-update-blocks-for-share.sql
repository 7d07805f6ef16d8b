-- FOR SHARE waits for a FOR UPDATE lock and then sees the committed value.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
UPDATE accounts SET balance = 42 WHERE id = 1;
-- b:
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
-- a:
COMMIT;
