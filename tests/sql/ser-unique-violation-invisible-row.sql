-- SERIALIZABLE: inserting a key that a concurrent transaction committed after the snapshot is 23505 (PostgreSQL 15 does not turn it into 40001 here), though a read in the block found no such key.
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM keys WHERE key = 'k';
-- b:
INSERT INTO keys VALUES ('k');
-- a:
INSERT INTO keys VALUES ('k');
ROLLBACK;
