-- SKIP LOCKED also skips rows an uncommitted UPDATE or DELETE holds.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready');
INSERT INTO jobs (id) VALUES (1), (2), (3);
BEGIN;
UPDATE jobs SET state = 'running' WHERE id = 1;
DELETE FROM jobs WHERE id = 2;
-- b:
SELECT id, state FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED;
SELECT id, state FROM jobs ORDER BY id;
-- a:
COMMIT;
-- b:
SELECT id, state FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED;
