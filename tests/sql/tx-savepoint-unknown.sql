-- ROLLBACK TO a savepoint that does not exist fails (3B001) and fails the block.
CREATE TABLE t (id int PRIMARY KEY);
BEGIN;
INSERT INTO t VALUES (1);
ROLLBACK TO SAVEPOINT nope;
INSERT INTO t VALUES (2);
ROLLBACK;
SAVEPOINT outside;
SELECT count(*) FROM t;
