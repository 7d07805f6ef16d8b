-- SERIALIZABLE: inserting a key that a READ COMMITTED session committed after the snapshot is 23505, though a read in the block found no such key (40001 comes only when the writer is SERIALIZABLE too; see idem-serializable-key-and-debit).
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM keys WHERE key = 'k';
-- b:
INSERT INTO keys VALUES ('k');
-- a:
INSERT INTO keys VALUES ('k');
ROLLBACK;
