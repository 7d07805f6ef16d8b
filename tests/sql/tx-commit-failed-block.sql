-- COMMIT of a failed block rolls it back (and does not fail).
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN;
INSERT INTO keys VALUES ('a');
SELECT nope FROM keys;
COMMIT;
SELECT count(*) FROM keys;
INSERT INTO keys VALUES ('b');
SELECT key FROM keys ORDER BY key;
