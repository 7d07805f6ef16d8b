-- ON CONFLICT DO NOTHING skips the conflicting row and reports 0.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, request text NOT NULL);
INSERT INTO idempotency_keys VALUES ('k1', 'first') ON CONFLICT (key) DO NOTHING;
INSERT INTO idempotency_keys VALUES ('k1', 'second') ON CONFLICT (key) DO NOTHING;
INSERT INTO idempotency_keys VALUES ('k1', 'third') ON CONFLICT DO NOTHING;
SELECT key, request FROM idempotency_keys ORDER BY key;
