-- SERIALIZABLE: a correlated lookup through an index reads only its keys, so two transfers on different keys both commit.
CREATE TABLE requests (key text PRIMARY KEY, account text NOT NULL);
CREATE TABLE applied (key text PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO requests VALUES ('k1', 'alice'), ('k2', 'bob');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT r.key FROM requests r WHERE r.key = 'k1' AND NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = r.key);
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT r.key FROM requests r WHERE r.key = 'k2' AND NOT EXISTS (SELECT 1 FROM applied a WHERE a.key = r.key);
INSERT INTO applied VALUES ('k2', 20);
-- a:
INSERT INTO applied VALUES ('k1', 10);
COMMIT;
-- b:
COMMIT;
SELECT key, amount FROM applied ORDER BY key;
