-- An unknown column in WHERE is 42703 even when no row would match.
CREATE TABLE t (id int PRIMARY KEY);
UPDATE t SET id = 1 WHERE nope = 2;
DELETE FROM t WHERE nope = 2;
SELECT count(*) FROM t;
