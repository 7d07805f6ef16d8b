-- Boolean input forms and the output form t/f.
CREATE TABLE flags (id int PRIMARY KEY, v boolean);
INSERT INTO flags VALUES (1, true), (2, false), (3, 't'), (4, 'no'), (5, 'YES'), (6, '1'), (7, NULL);
INSERT INTO flags VALUES (8, 'maybe');
SELECT id, v FROM flags ORDER BY id;
SELECT id FROM flags WHERE v ORDER BY id;
SELECT id FROM flags WHERE NOT v ORDER BY id;
SELECT id FROM flags WHERE v IS NOT TRUE ORDER BY id;
