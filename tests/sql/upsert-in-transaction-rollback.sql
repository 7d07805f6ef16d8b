-- An upsert rolled back leaves the row as it was.
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL);
INSERT INTO keys VALUES ('k', 1);
BEGIN;
INSERT INTO keys VALUES ('k', 5) ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n;
SELECT n FROM keys WHERE key = 'k';
ROLLBACK;
SELECT n FROM keys WHERE key = 'k';
