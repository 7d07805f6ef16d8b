-- Inserting a key whose row another transaction deleted but not committed waits for it.
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL);
INSERT INTO keys VALUES ('k', 1);
BEGIN;
DELETE FROM keys WHERE key = 'k';
-- b:
INSERT INTO keys VALUES ('k', 2);
-- a:
COMMIT;
SELECT key, n FROM keys;
