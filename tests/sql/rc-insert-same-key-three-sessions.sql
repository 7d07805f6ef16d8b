-- Three inserts of one key, one waiter at a time: a rolls back, so b's insert
-- goes in; c then waits on b and fails with 23505 when b commits. (Two
-- inserts waiting on the same transaction are woken together and race, so
-- the script never lets two wait at once.)
CREATE TABLE keys (key text PRIMARY KEY, owner text NOT NULL);
BEGIN;
INSERT INTO keys VALUES ('k', 'a');
-- b:
BEGIN;
INSERT INTO keys VALUES ('k', 'b');
-- a:
ROLLBACK;
-- c:
INSERT INTO keys VALUES ('k', 'c');
-- b:
COMMIT;
SELECT key, owner FROM keys;
