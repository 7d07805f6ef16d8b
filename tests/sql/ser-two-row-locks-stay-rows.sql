-- SERIALIZABLE: a reads two rows by primary key (two row locks, below the page threshold); b's update of a third row meets neither, so both commit.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE audit (id int PRIMARY KEY, note text);
INSERT INTO accounts VALUES (1, 10), (2, 20), (3, 30), (4, 40);
INSERT INTO audit VALUES (1, 'x');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = 1;
SELECT balance FROM accounts WHERE id = 2;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT note FROM audit;
UPDATE accounts SET balance = 0 WHERE id = 4;
-- a:
UPDATE audit SET note = 'y' WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
