-- SERIALIZABLE transactions that do not overlap in time both commit.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
UPDATE on_call SET active = false WHERE doctor = 'alice';
COMMIT;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
UPDATE on_call SET active = false WHERE doctor = 'bob';
COMMIT;
SELECT count(*) FROM on_call WHERE active;
