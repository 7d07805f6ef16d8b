-- More values than columns is an error (42601); fewer fill the rest with defaults.
CREATE TABLE t (id int PRIMARY KEY, a text, b text DEFAULT 'b');
INSERT INTO t VALUES (1, 'x', 'y', 'z');
INSERT INTO t (id, a) VALUES (2, 'x', 'y');
INSERT INTO t VALUES (3);
SELECT id, a, b FROM t ORDER BY id;
