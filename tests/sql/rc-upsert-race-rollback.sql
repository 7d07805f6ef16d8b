-- ON CONFLICT DO UPDATE racing, the first rolls back: the waiting upsert inserts.
CREATE TABLE counters (key text PRIMARY KEY, n int NOT NULL);
BEGIN;
INSERT INTO counters VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1;
-- b:
INSERT INTO counters VALUES ('k', 10) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n;
-- a:
ROLLBACK;
SELECT key, n FROM counters;
