-- A syntax error is 42601.
CREATE TABLE t (id int PRIMARY KEY);
SELEC id FROM t;
SELECT id FROM t WHERE;
SELECT id FROM t ORDER BY id;
