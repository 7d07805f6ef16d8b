-- A transaction left open when its session ends is rolled back (the session's last step leaves it open).
CREATE TABLE t (id int PRIMARY KEY);
-- b:
BEGIN;
INSERT INTO t VALUES (1);
-- a:
SELECT count(*) FROM t;
