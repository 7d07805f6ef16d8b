-- A value of the wrong type fails (22P02 for text that is no number, 42804 for a boolean into an integer).
CREATE TABLE t (id int PRIMARY KEY, amount bigint, ok boolean);
INSERT INTO t VALUES (1, 'ten', true);
INSERT INTO t VALUES (2, true, true);
INSERT INTO t VALUES (3, 10, 'yes');
SELECT id, amount, ok FROM t ORDER BY id;
