-- ON DELETE SET NULL and SET DEFAULT change the referring rows; RESTRICT refuses.
CREATE TABLE merchants (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO merchants VALUES (0, 'unknown'), (1, 'shop'), (2, 'cafe'), (3, 'bar');
CREATE TABLE payments (id int PRIMARY KEY, merchant_id int DEFAULT 0 REFERENCES merchants ON DELETE SET DEFAULT, referrer int REFERENCES merchants (id) ON DELETE SET NULL);
CREATE TABLE audits (id int PRIMARY KEY, merchant_id int REFERENCES merchants ON DELETE RESTRICT);
INSERT INTO payments VALUES (10, 1, 2), (11, 2, 1), (12, 2, NULL);
INSERT INTO audits VALUES (1, 3);
DELETE FROM merchants WHERE id = 2 RETURNING id;
SELECT id, merchant_id, referrer FROM payments ORDER BY id;
DELETE FROM merchants WHERE id = 3;
DELETE FROM merchants WHERE id = 0;
SELECT id FROM merchants ORDER BY id;
CREATE TABLE strict (id int PRIMARY KEY, m int NOT NULL REFERENCES merchants ON DELETE SET NULL);
INSERT INTO strict VALUES (1, 1);
DELETE FROM merchants WHERE id = 1;
SELECT id, merchant_id, referrer FROM payments ORDER BY id;
