-- A claim whose subquery locks with FOR UPDATE (no SKIP LOCKED) waits for the row another claim holds, then, the row no longer ready, takes the next.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready', worker text);
INSERT INTO jobs (id) VALUES (1), (2);
BEGIN;
UPDATE jobs SET state = 'running', worker = 'a' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE) RETURNING id;
-- b:
UPDATE jobs SET state = 'running', worker = 'b' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE) RETURNING id;
-- a:
COMMIT;
SELECT id, state, worker FROM jobs ORDER BY id;
