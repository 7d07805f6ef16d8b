-- Integer input: surrounding spaces are accepted, a fraction or text is not (22P02).
CREATE TABLE t (id int PRIMARY KEY, n bigint);
INSERT INTO t VALUES (1, ' 42 ');
INSERT INTO t VALUES (2, '4.5');
INSERT INTO t VALUES (3, 'abc');
INSERT INTO t VALUES (4, '-7');
INSERT INTO t VALUES (5, 4.5);
SELECT id, n FROM t ORDER BY id;
