-- DO UPDATE ... RETURNING returns the row inserted or updated.
CREATE TABLE keys (key text PRIMARY KEY, hits int NOT NULL);
INSERT INTO keys VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 1 RETURNING key, hits;
INSERT INTO keys VALUES ('k', 1) ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 1 RETURNING key, hits;
INSERT INTO keys VALUES ('k', 1), ('j', 1) ON CONFLICT (key) DO UPDATE SET hits = keys.hits + 10 RETURNING key, hits;
