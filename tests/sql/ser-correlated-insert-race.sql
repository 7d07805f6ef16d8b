-- SERIALIZABLE: the same correlated "insert where not exists" race fails the second to commit with 40001.
CREATE TABLE pending (key text PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE applied (key text NOT NULL, amount bigint NOT NULL);
INSERT INTO pending VALUES ('k1', 25);
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO applied SELECT p.key, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = p.key);
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
INSERT INTO applied SELECT p.key, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = p.key);
-- a:
COMMIT;
-- b:
COMMIT;
SELECT key, amount FROM applied ORDER BY key;
