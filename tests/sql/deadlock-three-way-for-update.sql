-- Three sessions lock three rows and each then wants its neighbour's: the third wait fails with 40P01; the rest unwind in order.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 0), (2, 0), (3, 0);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
-- c:
BEGIN;
SELECT id FROM accounts WHERE id = 3 FOR UPDATE;
-- a:
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
-- b:
SELECT id FROM accounts WHERE id = 3 FOR UPDATE;
-- c:
SELECT id FROM accounts WHERE id = 1 FOR UPDATE;
ROLLBACK;
-- b:
COMMIT;
-- a:
COMMIT;
