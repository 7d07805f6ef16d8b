-- NULLs of every type come back as NULL, and NULL = NULL is not true.
CREATE TABLE t (id int PRIMARY KEY, a bigint, b text, c boolean, d numeric, e timestamptz, f uuid, g jsonb);
INSERT INTO t (id) VALUES (1);
SELECT a, b, c, d, e, f, g FROM t;
SELECT count(*) FROM t WHERE a = NULL;
SELECT count(*) FROM t WHERE a IS NULL;
