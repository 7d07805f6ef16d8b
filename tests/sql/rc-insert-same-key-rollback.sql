-- The first inserter rolls back: the waiting insert proceeds.
CREATE TABLE keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN;
INSERT INTO keys VALUES ('k', 'a');
-- b:
INSERT INTO keys VALUES ('k', 'b');
-- a:
ROLLBACK;
SELECT key, owner FROM keys;
