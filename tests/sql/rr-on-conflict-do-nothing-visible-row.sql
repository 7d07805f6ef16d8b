-- REPEATABLE READ: ON CONFLICT DO NOTHING against a row the snapshot sees
-- skips it (0 rows), with no error.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('k');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM keys;
INSERT INTO keys VALUES ('k') ON CONFLICT (key) DO NOTHING;
COMMIT;
