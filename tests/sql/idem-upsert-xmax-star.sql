-- RETURNING * shows the table's own columns only, while (xmax = 0) tells each row of a multi-row upsert inserted from updated.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, hits int NOT NULL DEFAULT 1);
INSERT INTO idempotency_keys (key) VALUES ('a') RETURNING *;
INSERT INTO idempotency_keys (key) VALUES ('a'), ('b') ON CONFLICT (key) DO UPDATE SET hits = idempotency_keys.hits + 1 RETURNING key, hits, xmax = 0 AS inserted;
INSERT INTO idempotency_keys (key) VALUES ('b'), ('c') ON CONFLICT DO NOTHING RETURNING key, (xmax = 0) AS inserted;
SELECT key, hits FROM idempotency_keys ORDER BY key;
