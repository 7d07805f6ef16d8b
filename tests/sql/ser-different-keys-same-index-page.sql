-- SERIALIZABLE: two requests each look up their own key by primary key, then insert it; on a table of one index page, each insert meets the other's read of that page, and the second to commit fails with 40001.
CREATE TABLE idempotency_keys (key text PRIMARY KEY, response text);
INSERT INTO idempotency_keys VALUES ('old', 'done');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT response FROM idempotency_keys WHERE key = 'k1';
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT response FROM idempotency_keys WHERE key = 'k2';
INSERT INTO idempotency_keys VALUES ('k2', 'ok');
-- a:
INSERT INTO idempotency_keys VALUES ('k1', 'ok');
COMMIT;
-- b:
COMMIT;
SELECT key FROM idempotency_keys ORDER BY key;
