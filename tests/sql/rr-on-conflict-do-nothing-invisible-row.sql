-- REPEATABLE READ: ON CONFLICT DO NOTHING against a row committed after the
-- snapshot (so invisible to it) fails with 40001; it does not skip quietly.
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL DEFAULT 0);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM keys;
-- b:
INSERT INTO keys VALUES ('k');
-- a:
INSERT INTO keys VALUES ('k') ON CONFLICT (key) DO NOTHING;
ROLLBACK;
INSERT INTO keys VALUES ('k') ON CONFLICT (key) DO NOTHING;
SELECT key, n FROM keys;
