-- The same key sent with another request body is told apart by the stored request hash.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, request_hash text NOT NULL, response_code int);
INSERT INTO idempotency_keys VALUES ('ck-1', 'h-abc', 201);
INSERT INTO idempotency_keys VALUES ('ck-1', 'h-xyz', NULL) ON CONFLICT (key) DO NOTHING;
SELECT request_hash = 'h-xyz' AS same_request, response_code FROM idempotency_keys WHERE key = 'ck-1';
