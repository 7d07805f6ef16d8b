-- Check-then-insert without a unique constraint: both see no row, both insert.
CREATE TABLE payments (id int PRIMARY KEY, request_key text NOT NULL, amount bigint NOT NULL);
BEGIN;
SELECT count(*) FROM payments WHERE request_key = 'k';
-- b:
BEGIN;
SELECT count(*) FROM payments WHERE request_key = 'k';
-- a:
INSERT INTO payments VALUES (1, 'k', 100);
-- b:
INSERT INTO payments VALUES (2, 'k', 100);
-- a:
COMMIT;
-- b:
COMMIT;
SELECT id, request_key, amount FROM payments ORDER BY id;
