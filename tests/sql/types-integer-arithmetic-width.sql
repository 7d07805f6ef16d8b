-- integer op integer is computed in 32 bits and smallint op smallint in 16: past them, 22003; a bigint operand widens.
CREATE TABLE lines (id int PRIMARY KEY, qty integer, price integer, big bigint, s smallint);
INSERT INTO lines VALUES (1, 100000, 100000, 100000, 20000), (2, 3, 7, 5, 3);
SELECT id, qty * price FROM lines ORDER BY id;
SELECT id, qty * 1 FROM lines ORDER BY id;
SELECT id, big * price FROM lines ORDER BY id;
SELECT id, qty::bigint * price FROM lines ORDER BY id;
SELECT id, s + s FROM lines ORDER BY id;
SELECT id, s + 20000 FROM lines ORDER BY id;
SELECT 2147483647 + 1;
SELECT 2147483647 + 1::bigint, 2147483648 + 1;
SELECT id, qty * price / 2 FROM lines WHERE id = 2;
UPDATE lines SET qty = qty * price WHERE id = 1;
SELECT sum(qty * price) FROM lines WHERE id = 2;
