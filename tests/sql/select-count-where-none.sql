-- Counting rows that match nothing, and a WHERE that is false.
CREATE TABLE t (id int PRIMARY KEY);
INSERT INTO t VALUES (1), (2);
SELECT count(*) FROM t WHERE id > 5;
SELECT id FROM t WHERE false;
SELECT count(*) FROM t WHERE NULL;
