-- DO UPDATE on a row another transaction is updating waits for it and updates the new version.
CREATE TABLE counters (key text PRIMARY KEY, n int NOT NULL);
INSERT INTO counters VALUES ('k', 10);
BEGIN;
UPDATE counters SET n = 100 WHERE key = 'k';
-- b:
INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + EXCLUDED.n RETURNING n;
-- a:
COMMIT;
SELECT n FROM counters;
