-- Upsert returning whether this call created the key: (xmax = 0) is true for the insert and false for the conflict.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, hits int NOT NULL DEFAULT 1);
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO UPDATE SET hits = idempotency_keys.hits + 1 RETURNING hits, (xmax = 0) AS inserted;
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO UPDATE SET hits = idempotency_keys.hits + 1 RETURNING hits, (xmax = 0) AS inserted;
