-- FOR UPDATE NOWAIT on a locked row fails at once with 55P03 and fails the block.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id = 2 FOR UPDATE NOWAIT;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE NOWAIT;
SELECT 1;
ROLLBACK;
-- a:
COMMIT;
