-- ORDER BY ... LIMIT 1 FOR UPDATE waits for a locked row; when it no longer matches after the commit, the next row is returned.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL);
INSERT INTO jobs VALUES (1, 'ready'), (2, 'ready'), (3, 'ready');
BEGIN;
UPDATE jobs SET state = 'running' WHERE id = 1;
-- b:
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE;
-- a:
COMMIT;
-- b:
UPDATE jobs SET state = 'running' WHERE id = 2;
COMMIT;
SELECT id, state FROM jobs ORDER BY id;
