-- An expired key is deleted and the same key can start a new request.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response_code int, expired boolean NOT NULL DEFAULT false);
INSERT INTO idempotency_keys VALUES ('ck-1', 201, true), ('ck-2', 201, false);
DELETE FROM idempotency_keys WHERE expired RETURNING key;
INSERT INTO idempotency_keys (key) VALUES ('ck-1') ON CONFLICT (key) DO NOTHING RETURNING key, response_code;
INSERT INTO idempotency_keys (key) VALUES ('ck-2') ON CONFLICT (key) DO NOTHING RETURNING key, response_code;
