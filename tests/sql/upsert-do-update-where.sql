-- DO UPDATE ... WHERE: a conflicting row that fails the WHERE is left alone and not counted.
CREATE TABLE keys (key text PRIMARY KEY, status text NOT NULL, response text);
INSERT INTO keys VALUES ('k1', 'done', 'r1'), ('k2', 'started', NULL);
INSERT INTO keys VALUES ('k1', 'started', NULL) ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status WHERE keys.status <> 'done' RETURNING key, status;
INSERT INTO keys VALUES ('k2', 'retrying', NULL) ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status WHERE keys.status <> 'done' RETURNING key, status;
SELECT key, status, response FROM keys ORDER BY key;
