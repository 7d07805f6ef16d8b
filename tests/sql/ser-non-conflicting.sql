-- SERIALIZABLE: two transactions on different tables commit both.
CREATE TABLE alice_ledger (id int PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE bob_ledger (id int PRIMARY KEY, amount bigint NOT NULL);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM alice_ledger;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM bob_ledger;
INSERT INTO bob_ledger VALUES (1, 10);
-- a:
INSERT INTO alice_ledger VALUES (1, 10);
COMMIT;
-- b:
COMMIT;
SELECT count(*) FROM alice_ledger;
SELECT count(*) FROM bob_ledger;
