-- AND, OR, NOT with three-valued logic.
CREATE TABLE t (id int PRIMARY KEY, a boolean, b boolean);
INSERT INTO t VALUES (1, true, true), (2, true, false), (3, true, NULL), (4, false, NULL), (5, NULL, NULL), (6, false, false);
SELECT id FROM t WHERE a AND b ORDER BY id;
SELECT id FROM t WHERE a OR b ORDER BY id;
SELECT id FROM t WHERE NOT (a AND b) ORDER BY id;
SELECT id FROM t WHERE NOT (a OR b) ORDER BY id;
SELECT id, a AND b, a OR b, NOT a FROM t ORDER BY id;
