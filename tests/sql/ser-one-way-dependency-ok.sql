-- SERIALIZABLE: a reads what b writes but not the other way round: both commit (b before a in the serial order).
CREATE TABLE rates (id int PRIMARY KEY, rate bigint NOT NULL);
CREATE TABLE fees (id int PRIMARY KEY, fee bigint NOT NULL);
INSERT INTO rates VALUES (1, 5);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT rate FROM rates WHERE id = 1;
INSERT INTO fees VALUES (1, 5);
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE rates SET rate = 7 WHERE id = 1;
COMMIT;
-- a:
COMMIT;
SELECT id, fee FROM fees;
