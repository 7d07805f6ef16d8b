-- SERIALIZABLE: each counts the holds and deletes a different one so that at least one must stay: one fails with 40001.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 5), (2, 5);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM holds;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM holds;
DELETE FROM holds WHERE id = 2;
-- a:
DELETE FROM holds WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id FROM holds ORDER BY id;
