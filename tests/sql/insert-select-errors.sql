-- INSERT ... SELECT's errors: more items than target columns, a value its column's type refuses, NULL into NOT NULL, and a key taken twice by the query's own rows.
CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL);
CREATE TABLE src (a text, b text);
INSERT INTO src VALUES ('1', 'x'), ('2', NULL), ('1', '3');
INSERT INTO t (id) SELECT 1, 2;
INSERT INTO t SELECT a::int, b::int FROM src WHERE a = '1' AND b = 'x';
INSERT INTO t SELECT a::int, length(b) FROM src WHERE b IS NULL;
INSERT INTO t SELECT a::int, 5 FROM src WHERE a = '1';
SELECT count(*) FROM t;
