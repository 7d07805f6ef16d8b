-- The result types show in the output: sum(integer) is bigint, sum(numeric) keeps its scale.
CREATE TABLE t (id int PRIMARY KEY, i integer, n numeric(8, 3));
INSERT INTO t VALUES (1, 2147483647, 1.5), (2, 2147483647, 2.25);
SELECT sum(i), sum(n), max(n), min(i), count(n) FROM t;
