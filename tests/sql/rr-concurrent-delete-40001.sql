-- REPEATABLE READ: deleting or updating a row another transaction deleted fails with 40001.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 10);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT amount FROM holds WHERE id = 1;
-- b:
DELETE FROM holds WHERE id = 1;
-- a:
SELECT amount FROM holds WHERE id = 1;
UPDATE holds SET amount = 0 WHERE id = 1;
ROLLBACK;
