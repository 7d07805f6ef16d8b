-- ROLLBACK TO a savepoint taken before the error brings the block back.
CREATE TABLE keys (key text PRIMARY KEY, n int);
INSERT INTO keys VALUES ('k', 0);
BEGIN;
SAVEPOINT before_insert;
INSERT INTO keys VALUES ('k', 1);
SELECT 1;
ROLLBACK TO before_insert;
UPDATE keys SET n = n + 1 WHERE key = 'k';
COMMIT;
SELECT key, n FROM keys;
