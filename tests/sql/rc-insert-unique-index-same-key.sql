-- The wait and 23505 happen for a unique index as for a constraint.
CREATE TABLE requests (id int PRIMARY KEY, key text NOT NULL);
CREATE UNIQUE INDEX requests_key ON requests (key);
BEGIN;
INSERT INTO requests VALUES (1, 'k');
-- b:
INSERT INTO requests VALUES (2, 'k');
-- a:
COMMIT;
SELECT id, key FROM requests;
