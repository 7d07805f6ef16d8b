-- Three workers, two jobs: the third finds nothing to claim.
CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready');
INSERT INTO jobs (id) VALUES (1), (2);
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
-- b:
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
-- c:
BEGIN;
SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
COMMIT;
-- a:
COMMIT;
-- b:
COMMIT;
