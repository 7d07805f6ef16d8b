-- SERIALIZABLE: the on-call guard written as one UPDATE whose subquery counts who stays; both pass the guard, and the second to commit fails with 40001.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE on_call SET active = false WHERE doctor = 'alice' AND (SELECT count(*) FROM on_call WHERE active) > 1;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE on_call SET active = false WHERE doctor = 'bob' AND (SELECT count(*) FROM on_call WHERE active) > 1;
-- a:
COMMIT;
-- b:
COMMIT;
SELECT doctor, active FROM on_call ORDER BY doctor;
