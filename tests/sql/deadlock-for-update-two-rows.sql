-- FOR UPDATE on two rows in opposite orders: the second wait closes the cycle and fails with 40P01.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
-- a:
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
-- b:
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
SELECT 1;
ROLLBACK;
-- a:
COMMIT;
