-- SERIALIZABLE: locking the rows one reads (FOR UPDATE) on one's own row does not stop the write skew; SSI fails the second to commit with 40001.
CREATE TABLE on_call (doctor text PRIMARY KEY, active boolean NOT NULL);
INSERT INTO on_call VALUES ('alice', true), ('bob', true);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
SELECT doctor FROM on_call WHERE doctor = 'alice' FOR UPDATE;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM on_call WHERE active;
SELECT doctor FROM on_call WHERE doctor = 'bob' FOR UPDATE;
UPDATE on_call SET active = false WHERE doctor = 'bob';
-- a:
UPDATE on_call SET active = false WHERE doctor = 'alice';
COMMIT;
-- b:
COMMIT;
