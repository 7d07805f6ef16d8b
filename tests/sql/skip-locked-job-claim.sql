-- Two workers claim jobs with FOR UPDATE SKIP LOCKED: each gets a different one.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready', worker text);
INSERT INTO jobs (id) VALUES (1), (2), (3);
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
-- b:
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
-- a:
UPDATE jobs SET state = 'running', worker = 'a' WHERE id = 1;
COMMIT;
-- b:
UPDATE jobs SET state = 'running', worker = 'b' WHERE id = 2;
COMMIT;
SELECT id, state, worker FROM jobs ORDER BY id;
