-- Text compares byte by byte in the C collation; case matters.
CREATE TABLE names (id int PRIMARY KEY, name text);
INSERT INTO names VALUES (1, 'bob'), (2, 'Bob'), (3, 'alice'), (4, 'Alice'), (5, ''), (6, NULL), (7, 'bob ');
SELECT id, name FROM names ORDER BY name, id;
SELECT id FROM names WHERE name = 'bob' ORDER BY id;
SELECT id FROM names WHERE name > 'a' ORDER BY id;
