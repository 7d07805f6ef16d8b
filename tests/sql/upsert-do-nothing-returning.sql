-- DO NOTHING ... RETURNING returns only the rows inserted: nothing for a conflict.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, request text NOT NULL);
INSERT INTO idempotency_keys VALUES ('k1', 'first') ON CONFLICT (key) DO NOTHING RETURNING key;
INSERT INTO idempotency_keys VALUES ('k1', 'again') ON CONFLICT (key) DO NOTHING RETURNING key;
INSERT INTO idempotency_keys VALUES ('k1', 'x'), ('k2', 'y') ON CONFLICT (key) DO NOTHING RETURNING key, request;
