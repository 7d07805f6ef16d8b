-- The job claim's lock strength in its subquery: a KEY SHARE lock (a foreign key check) makes FOR UPDATE SKIP LOCKED pass the row over, not FOR NO KEY UPDATE SKIP LOCKED.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL);
CREATE TABLE job_runs (id int PRIMARY KEY, job_id int NOT NULL REFERENCES jobs);
INSERT INTO jobs VALUES (1, 'ready'), (2, 'ready'), (3, 'ready');
BEGIN;
INSERT INTO job_runs VALUES (1, 1);
-- b:
UPDATE jobs SET state = 'running' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id;
-- c:
UPDATE jobs SET state = 'running' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED) RETURNING id;
-- a:
COMMIT;
SELECT id, state FROM jobs ORDER BY id;
