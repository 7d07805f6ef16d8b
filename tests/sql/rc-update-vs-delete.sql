-- b's DELETE waits for a's UPDATE and deletes the new version if it still matches.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 10), (2, 10);
BEGIN;
UPDATE holds SET amount = 20 WHERE id = 1;
UPDATE holds SET amount = 5 WHERE id = 2;
-- b:
DELETE FROM holds WHERE amount >= 10 RETURNING id, amount;
-- a:
COMMIT;
SELECT id, amount FROM holds ORDER BY id;
