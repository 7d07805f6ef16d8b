-- ROLLBACK discards every change of the block.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
DELETE FROM accounts WHERE id = 1;
INSERT INTO accounts VALUES (2, 1);
ROLLBACK;
SELECT id, balance FROM accounts ORDER BY id;
