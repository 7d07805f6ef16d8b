-- RETURNING * of an upsert gives the whole stored row, inserted or updated.
CREATE TABLE keys (key text PRIMARY KEY, status text NOT NULL DEFAULT 'new', hits int NOT NULL DEFAULT 1);
INSERT INTO keys (key) VALUES ('k') ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 1 RETURNING *;
INSERT INTO keys (key, status) VALUES ('k', 'ignored') ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 1 RETURNING *;
