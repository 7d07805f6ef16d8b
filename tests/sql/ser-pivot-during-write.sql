-- SERIALIZABLE: b read what c changed and c committed; when b then writes what a read, b is the pivot of a -> b -> c and fails at that write with 40001.
CREATE TABLE limits (id int PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE balances (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO limits VALUES (1, 100);
INSERT INTO balances VALUES (1, 10);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT amount FROM balances;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT amount FROM limits;
-- c:
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE limits SET amount = 50 WHERE id = 1;
COMMIT;
-- b:
UPDATE balances SET amount = 20 WHERE id = 1;
ROLLBACK;
-- a:
COMMIT;
