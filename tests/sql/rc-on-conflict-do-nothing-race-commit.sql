-- INSERT ... ON CONFLICT DO NOTHING racing: b waits for a, then inserts nothing once a commits.
CREATE TABLE keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN;
INSERT INTO keys VALUES ('k', 'a') ON CONFLICT (key) DO NOTHING RETURNING owner;
-- b:
INSERT INTO keys VALUES ('k', 'b') ON CONFLICT (key) DO NOTHING RETURNING owner;
-- a:
COMMIT;
SELECT key, owner FROM keys;
