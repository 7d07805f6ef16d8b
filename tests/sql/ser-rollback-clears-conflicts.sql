-- SERIALIZABLE: the write skew's other half rolls back, so the first commits.
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
ROLLBACK;
-- a:
COMMIT;
SELECT doctor, active FROM on_call ORDER BY doctor;
