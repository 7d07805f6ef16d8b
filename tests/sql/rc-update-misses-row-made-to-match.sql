-- An UPDATE re-checks only the rows it found: a row a concurrent commit makes match is not picked up.
CREATE TABLE transfers (id int PRIMARY KEY, status text NOT NULL);
INSERT INTO transfers VALUES (1, 'pending'), (2, 'new');
BEGIN;
UPDATE transfers SET status = 'pending' WHERE id = 2;
UPDATE transfers SET status = 'held' WHERE id = 1;
-- b:
UPDATE transfers SET status = 'cancelled' WHERE status = 'pending';
-- a:
COMMIT;
SELECT id, status FROM transfers ORDER BY id;
