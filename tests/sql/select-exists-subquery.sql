-- EXISTS and IN with a subquery, as a key check reads them.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, transfer_id int);
CREATE TABLE transfers (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO transfers VALUES (1, 10), (2, 20), (3, 30);
INSERT INTO idempotency_keys VALUES ('k1', 1), ('k3', 3), ('k4', NULL);
SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k1'), EXISTS (SELECT 1 FROM idempotency_keys WHERE key = 'k2');
SELECT id FROM transfers WHERE id IN (SELECT transfer_id FROM idempotency_keys) ORDER BY id;
SELECT id FROM transfers t WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.transfer_id = t.id) ORDER BY id;
SELECT id FROM transfers WHERE id NOT IN (SELECT transfer_id FROM idempotency_keys) ORDER BY id;
