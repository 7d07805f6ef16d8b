-- Unknown columns fail with 42703, unknown tables with 42P01; an ambiguous name with 42702.
CREATE TABLE a (id int PRIMARY KEY, x int);
CREATE TABLE b (id int PRIMARY KEY, a_id int);
SELECT nope FROM a;
SELECT id FROM nope;
SELECT id FROM a JOIN b ON b.a_id = a.id;
SELECT a.id FROM a WHERE y = 1;
