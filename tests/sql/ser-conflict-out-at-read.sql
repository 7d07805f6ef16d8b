-- SERIALIZABLE: a reads, after b committed, a row b changed; b had read what c changed and c committed first, so a's read closes a -> b -> c and a fails with 40001 at the read.
CREATE TABLE limits (id int PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE balances (id int PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE other (id int PRIMARY KEY);
INSERT INTO limits VALUES (1, 100);
INSERT INTO balances VALUES (1, 10);
INSERT INTO other VALUES (1);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM other;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT amount FROM limits;
-- c:
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE limits SET amount = 50 WHERE id = 1;
COMMIT;
-- b:
UPDATE balances SET amount = 20 WHERE id = 1;
COMMIT;
-- a:
SELECT amount FROM balances;
ROLLBACK;
SELECT id, amount FROM balances;
