-- ON CONFLICT DO NOTHING racing: a rolls back, so b's insert goes in.
CREATE TABLE keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN;
INSERT INTO keys VALUES ('k', 'a') ON CONFLICT (key) DO NOTHING;
-- b:
INSERT INTO keys VALUES ('k', 'b') ON CONFLICT (key) DO NOTHING RETURNING owner;
-- a:
ROLLBACK;
SELECT key, owner FROM keys;
