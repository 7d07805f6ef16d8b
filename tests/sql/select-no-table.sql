-- SELECT without FROM, and the column names PostgreSQL gives expressions.
SELECT 1;
SELECT 1 AS one, 'x' AS text, NULL AS nothing, 2 + 3, true;
SELECT 7 / 2, 7 % 2, -7 / 2, 7.0 / 2;
