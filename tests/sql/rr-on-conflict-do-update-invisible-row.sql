-- REPEATABLE READ: ON CONFLICT DO UPDATE against a row committed after the
-- snapshot fails with 40001; the same upsert in a fresh transaction updates it.
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL DEFAULT 0);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM keys;
-- b:
INSERT INTO keys VALUES ('k');
-- a:
INSERT INTO keys VALUES ('k') ON CONFLICT (key) DO UPDATE SET n = keys.n + 1;
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO keys VALUES ('k') ON CONFLICT (key) DO UPDATE SET n = keys.n + 1 RETURNING n;
COMMIT;
