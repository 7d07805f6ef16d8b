-- A dropped table is gone (42P01); DROP TABLE IF EXISTS on it succeeds.
CREATE TABLE scratch (id int);
INSERT INTO scratch VALUES (1);
DROP TABLE scratch;
SELECT id FROM scratch;
DROP TABLE scratch;
DROP TABLE IF EXISTS scratch;
