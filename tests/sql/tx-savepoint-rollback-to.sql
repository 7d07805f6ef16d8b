-- ROLLBACK TO SAVEPOINT undoes the work after the savepoint and keeps the rest.
CREATE TABLE ledger (id int PRIMARY KEY, amount bigint NOT NULL);
BEGIN;
INSERT INTO ledger VALUES (1, 10);
SAVEPOINT s1;
INSERT INTO ledger VALUES (2, 20);
ROLLBACK TO SAVEPOINT s1;
INSERT INTO ledger VALUES (3, 30);
COMMIT;
SELECT id, amount FROM ledger ORDER BY id;
