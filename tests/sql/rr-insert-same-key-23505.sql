-- REPEATABLE READ: inserting a key another transaction committed after the snapshot is 23505 (not 40001), though the row is invisible.
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM keys;
-- b:
INSERT INTO keys VALUES ('k');
-- a:
SELECT count(*) FROM keys;
INSERT INTO keys VALUES ('k');
ROLLBACK;
