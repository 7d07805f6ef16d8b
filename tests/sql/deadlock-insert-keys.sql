-- Two transactions insert the same two keys in opposite orders: a deadlock on the unique index.
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN;
INSERT INTO keys VALUES ('x');
-- b:
BEGIN;
INSERT INTO keys VALUES ('y');
-- a:
INSERT INTO keys VALUES ('y');
-- b:
INSERT INTO keys VALUES ('x');
ROLLBACK;
-- a:
COMMIT;
SELECT key FROM keys ORDER BY key;
