-- UNIQUE allows several NULLs (NULLs are distinct), but not two equal values.
CREATE TABLE customers (id int PRIMARY KEY, email text UNIQUE);
INSERT INTO customers VALUES (1, NULL), (2, NULL);
INSERT INTO customers VALUES (3, 'a@example.com');
INSERT INTO customers VALUES (4, 'a@example.com');
SELECT id, email FROM customers ORDER BY id;
