-- numeric arithmetic: scales of sums and products, and integer division.
CREATE TABLE amounts (id int PRIMARY KEY, a numeric(10, 2), b numeric(10, 3), n bigint);
INSERT INTO amounts VALUES (1, 10.50, 0.125, 7);
SELECT a + b, a * b, a - b, n / 2, n % 2, a * n FROM amounts WHERE id = 1;
