-- FOR UPDATE waiting on a row that is then deleted returns nothing for it.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 10);
BEGIN;
DELETE FROM holds WHERE id = 1;
-- b:
SELECT id, amount FROM holds WHERE id = 1 FOR UPDATE;
-- a:
COMMIT;
