-- REPEATABLE READ allows write skew: both read two on-call rows and each takes one off call.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM on_call WHERE active;
-- b:
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM on_call WHERE active;
-- a:
UPDATE on_call SET active = false WHERE doctor = 'alice';
-- b:
UPDATE on_call SET active = false WHERE doctor = 'bob';
-- a:
COMMIT;
-- b:
COMMIT;
SELECT count(*) FROM on_call WHERE active;
