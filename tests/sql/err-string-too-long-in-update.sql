-- 22001 when an UPDATE makes a varchar too long.
CREATE TABLE t (id int PRIMARY KEY, code varchar(4) NOT NULL);
INSERT INTO t VALUES (1, 'ab');
UPDATE t SET code = code || 'cde' WHERE id = 1;
UPDATE t SET code = code || 'cd' WHERE id = 1;
SELECT code FROM t;
