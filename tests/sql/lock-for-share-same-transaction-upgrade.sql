-- A transaction may take FOR SHARE and then FOR UPDATE on its own row.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 1 FOR SHARE;
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
UPDATE accounts SET balance = 1 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
