-- numeric(5, 2) holds at most 999.99: beyond, 22003; rounding can overflow too.
CREATE TABLE fees (id int PRIMARY KEY, fee numeric(5, 2), whole numeric(3));
INSERT INTO fees VALUES (1, 999.99, 999);
INSERT INTO fees VALUES (2, 1000, 1);
INSERT INTO fees VALUES (3, 999.995, 1);
INSERT INTO fees VALUES (4, -999.994, -999);
INSERT INTO fees VALUES (5, 1, 999.5);
INSERT INTO fees VALUES (6, '1.5e2', '-9.99e1');
INSERT INTO fees VALUES (7, 0.001, 0.4);
UPDATE fees SET fee = fee * 10 WHERE id = 1;
SELECT id, fee, whole FROM fees ORDER BY id;
