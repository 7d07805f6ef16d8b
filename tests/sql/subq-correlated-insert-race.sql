-- READ COMMITTED: "insert where not exists" with a correlated guard and no unique key applies twice; each statement reads its own snapshot.
CREATE TABLE pending (key text PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE applied (key text NOT NULL, amount bigint NOT NULL);
INSERT INTO pending VALUES ('k1', 25);
BEGIN;
INSERT INTO applied SELECT p.key, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = p.key);
-- b:
BEGIN;
INSERT INTO applied SELECT p.key, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = p.key);
-- a:
COMMIT;
-- b:
COMMIT;
SELECT key, amount FROM applied ORDER BY key;
