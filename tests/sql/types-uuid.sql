-- uuid: upper case and braces accepted on input, lower case on output; bad input 22P02.
CREATE TABLE requests (id uuid PRIMARY KEY, n int);
INSERT INTO requests VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 1);
INSERT INTO requests VALUES ('{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12}', 2);
INSERT INTO requests VALUES ('a0eebc999c0b4ef8bb6d6bb9bd380a13', 3);
INSERT INTO requests VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 4);
INSERT INTO requests VALUES ('not-a-uuid', 5);
SELECT id, n FROM requests ORDER BY id;
