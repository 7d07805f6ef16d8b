-- A waiting FOR UPDATE re-checks its WHERE on the new version: the row no longer matches and is not returned.
CREATE TABLE transfers (id int PRIMARY KEY, status text NOT NULL);
INSERT INTO transfers VALUES (1, 'pending'), (2, 'pending');
BEGIN;
UPDATE transfers SET status = 'done' WHERE id = 1;
-- b:
BEGIN;
SELECT id, status FROM transfers WHERE status = 'pending' ORDER BY id FOR UPDATE;
-- a:
COMMIT;
-- b:
COMMIT;
