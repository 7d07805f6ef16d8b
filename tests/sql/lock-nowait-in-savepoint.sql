-- A NOWAIT failure inside a savepoint is recovered with ROLLBACK TO.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL);
INSERT INTO jobs VALUES (1, 'ready'), (2, 'ready');
BEGIN;
SELECT id FROM jobs WHERE id = 1 FOR UPDATE;
-- b:
BEGIN;
SAVEPOINT try1;
SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT;
ROLLBACK TO SAVEPOINT try1;
SELECT id FROM jobs WHERE id = 2 FOR UPDATE NOWAIT;
UPDATE jobs SET state = 'running' WHERE id = 2;
COMMIT;
-- a:
UPDATE jobs SET state = 'running' WHERE id = 1;
COMMIT;
SELECT id, state FROM jobs ORDER BY id;
