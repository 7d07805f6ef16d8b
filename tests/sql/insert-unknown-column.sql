-- Naming a column the table lacks fails with 42703; an unknown table with 42P01.
CREATE TABLE t (id int PRIMARY KEY);
INSERT INTO t (id, nope) VALUES (1, 2);
INSERT INTO missing VALUES (1);
SELECT count(*) FROM t;
