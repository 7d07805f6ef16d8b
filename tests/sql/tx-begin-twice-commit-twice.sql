-- BEGIN inside a block only warns; COMMIT and ROLLBACK outside one only warn.
CREATE TABLE t (id int PRIMARY KEY);
COMMIT;
ROLLBACK;
BEGIN;
BEGIN;
INSERT INTO t VALUES (1);
COMMIT;
COMMIT;
SELECT id FROM t;
