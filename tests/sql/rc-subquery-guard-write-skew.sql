-- READ COMMITTED: the same guard lets both take themselves off call: each statement's subquery reads its own snapshot and the rows differ, so nothing waits.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN;
UPDATE on_call SET active = false WHERE doctor = 'alice' AND (SELECT count(*) FROM on_call WHERE active) > 1;
-- b:
BEGIN;
UPDATE on_call SET active = false WHERE doctor = 'bob' AND (SELECT count(*) FROM on_call WHERE active) > 1;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT doctor, active FROM on_call ORDER BY doctor;
