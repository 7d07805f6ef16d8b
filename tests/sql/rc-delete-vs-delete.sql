-- Two DELETEs of one row: the second waits and deletes nothing.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('k');
BEGIN;
DELETE FROM keys WHERE key = 'k';
-- b:
DELETE FROM keys WHERE key = 'k' RETURNING key;
-- a:
COMMIT;
