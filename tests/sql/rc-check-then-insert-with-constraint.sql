-- Check-then-insert with a unique key: both see no row, the second insert waits and fails with 23505.
CREATE TABLE payments (id int PRIMARY KEY, request_key text NOT NULL UNIQUE, amount bigint NOT NULL);
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
ROLLBACK;
SELECT id, request_key FROM payments ORDER BY id;
