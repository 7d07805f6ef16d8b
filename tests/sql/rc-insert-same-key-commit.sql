-- Two sessions insert one key: the second waits, and fails with 23505 when the first commits.
CREATE TABLE keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN;
INSERT INTO keys VALUES ('k', 'a');
-- b:
BEGIN;
INSERT INTO keys VALUES ('k', 'b');
-- a:
COMMIT;
-- b:
SELECT 1;
ROLLBACK;
SELECT key, owner FROM keys;
