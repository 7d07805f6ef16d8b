-- b's UPDATE waits for a's DELETE; after the commit the row is gone and b updates 0 rows.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 10);
BEGIN;
DELETE FROM holds WHERE id = 1;
-- b:
UPDATE holds SET amount = amount + 5 WHERE id = 1 RETURNING amount;
-- a:
COMMIT;
SELECT count(*) FROM holds;
