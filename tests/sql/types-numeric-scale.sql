-- numeric(p, s) rounds to its scale on input and keeps trailing zeros.
CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10, 2), raw numeric);
INSERT INTO prices VALUES (1, 1.005, 1.005), (2, 2, 2.50), (3, 0.1, 0.10), (4, -3.456, -3.456);
SELECT id, amount, raw FROM prices ORDER BY id;
SELECT sum(amount), sum(raw), min(amount), max(raw) FROM prices;
