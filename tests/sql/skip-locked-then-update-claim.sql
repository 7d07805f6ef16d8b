-- The claim-by-update pattern: UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready', worker text);
INSERT INTO jobs (id) VALUES (1), (2);
BEGIN;
UPDATE jobs SET state = 'running', worker = 'a' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, worker;
-- b:
BEGIN;
UPDATE jobs SET state = 'running', worker = 'b' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, worker;
-- c:
UPDATE jobs SET state = 'running', worker = 'c' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, worker;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT id, state, worker FROM jobs ORDER BY id;
