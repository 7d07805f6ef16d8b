-- A plain INSERT waits on a DO NOTHING insert of its key and fails with 23505 after the commit.
CREATE TABLE keys (key text PRIMARY KEY);
BEGIN;
INSERT INTO keys VALUES ('k') ON CONFLICT DO NOTHING;
-- b:
INSERT INTO keys VALUES ('k');
-- a:
COMMIT;
SELECT count(*) FROM keys;
