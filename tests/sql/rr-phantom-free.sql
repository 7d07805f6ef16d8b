-- REPEATABLE READ sees no phantoms: a count repeats though rows were inserted.
CREATE TABLE transfers (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO transfers VALUES (1, 'alice', 10);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*), sum(amount) FROM transfers WHERE account = 'alice';
-- b:
INSERT INTO transfers VALUES (2, 'alice', 20);
-- a:
SELECT count(*), sum(amount) FROM transfers WHERE account = 'alice';
COMMIT;
SELECT count(*), sum(amount) FROM transfers WHERE account = 'alice';
