-- Division by zero fails with 22012, for integers and numerics.
CREATE TABLE t (id int PRIMARY KEY, n bigint, d bigint);
INSERT INTO t VALUES (1, 10, 0);
SELECT n / d FROM t;
SELECT n::numeric / d FROM t;
SELECT n % d FROM t;
SELECT n / NULLIF(d, 0) FROM t;
