-- ON CONFLICT DO UPDATE racing: b waits for a's insert, then updates the row a committed.
CREATE TABLE counters (key text PRIMARY KEY, n int NOT NULL);
BEGIN;
INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n;
-- b:
INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n;
-- a:
COMMIT;
SELECT key, n FROM counters;
