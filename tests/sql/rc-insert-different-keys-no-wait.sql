-- Inserts of different keys do not wait on each other.
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN;
INSERT INTO keys VALUES ('a');
-- b:
BEGIN;
INSERT INTO keys VALUES ('b');
COMMIT;
-- a:
COMMIT;
SELECT key FROM keys ORDER BY key;
