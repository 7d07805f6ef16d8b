-- An UPDATE that sets a row to the values it has still locks it: another writer waits.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = balance WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
-- a:
COMMIT;
SELECT balance FROM accounts;
