-- numeric(5, 2) holds at most 999.99: beyond, 22003.
CREATE TABLE fees (id int PRIMARY KEY, fee numeric(5, 2));
INSERT INTO fees VALUES (1, 999.99);
INSERT INTO fees VALUES (2, 1000);
INSERT INTO fees VALUES (3, 999.995);
INSERT INTO fees VALUES (4, 'NaN');
SELECT id, fee FROM fees ORDER BY id;
