-- SERIALIZABLE check-then-insert without a unique constraint: both check, both insert, one fails with 40001.
CREATE TABLE payments (id int PRIMARY KEY, request_key text NOT NULL);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM payments WHERE request_key = 'k';
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM payments WHERE request_key = 'k';
INSERT INTO payments VALUES (2, 'k');
-- a:
INSERT INTO payments VALUES (1, 'k');
COMMIT;
-- b:
COMMIT;
SELECT id, request_key FROM payments ORDER BY id;
