-- REFERENCES to a UNIQUE (not primary key) column.
CREATE TABLE merchants (id bigint PRIMARY KEY, code text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, merchant_code text NOT NULL REFERENCES merchants (code));
INSERT INTO merchants VALUES (1, 'acme');
INSERT INTO orders VALUES (1, 'acme');
INSERT INTO orders VALUES (2, 'globex');
SELECT id, merchant_code FROM orders ORDER BY id;
