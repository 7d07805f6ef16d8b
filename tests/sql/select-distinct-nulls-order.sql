-- DISTINCT keeps one of equal rows, NULLs equal; ORDER BY must name output columns.
CREATE TABLE attempts (id int PRIMARY KEY, key text, status int);
INSERT INTO attempts VALUES (1, 'a', 201), (2, 'a', 201), (3, 'b', NULL), (4, 'b', NULL), (5, NULL, 500), (6, 'a', 409);
SELECT DISTINCT key, status FROM attempts ORDER BY key, status;
SELECT DISTINCT status FROM attempts ORDER BY status DESC NULLS LAST;
SELECT DISTINCT key AS k FROM attempts ORDER BY k LIMIT 2;
SELECT DISTINCT key FROM attempts ORDER BY 1 OFFSET 1;
SELECT DISTINCT key FROM attempts ORDER BY id;
SELECT count(DISTINCT key), count(DISTINCT status) FROM attempts;
