-- A two-column UNIQUE constraint: (merchant, key) pairs are unique.
CREATE TABLE idempotency_keys (id bigint PRIMARY KEY, merchant text NOT NULL, key text NOT NULL, UNIQUE (merchant, key));
INSERT INTO idempotency_keys VALUES (1, 'm1', 'k'), (2, 'm2', 'k');
INSERT INTO idempotency_keys VALUES (3, 'm1', 'k');
SELECT id, merchant, key FROM idempotency_keys ORDER BY id;
