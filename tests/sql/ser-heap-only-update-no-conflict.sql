-- SERIALIZABLE: a reads row 1 by primary key (a lock on it and on the index's page); b changes row 3's unindexed column, a heap-only update that meets neither lock, so no cycle forms with b's read of what a writes: both commit.
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL);
CREATE INDEX accounts_owner ON accounts (owner);
CREATE TABLE audit (id int PRIMARY KEY, note text);
INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 100), (3, 'carol', 100);
INSERT INTO audit VALUES (1, 'x');
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = 1;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT note FROM audit;
UPDATE accounts SET balance = 0 WHERE id = 3;
-- a:
UPDATE audit SET note = 'y' WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id, owner, balance FROM accounts ORDER BY id;
