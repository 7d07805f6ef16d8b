-- SERIALIZABLE: the write skew of the on-call example fails one of the two with 40001.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
-- a:
UPDATE on_call SET active = false WHERE doctor = 'alice';
-- b:
UPDATE on_call SET active = false WHERE doctor = 'bob';
-- a:
COMMIT;
-- b:
COMMIT;
SELECT doctor, active FROM on_call ORDER BY doctor;
