-- b's DELETE waits for a's DELETE, which rolls back: b deletes the row.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('k');
BEGIN;
DELETE FROM keys WHERE key = 'k';
-- b:
DELETE FROM keys WHERE key = 'k' RETURNING key;
-- a:
ROLLBACK;
SELECT count(*) FROM keys;
