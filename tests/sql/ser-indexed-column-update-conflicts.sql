-- SERIALIZABLE: as in ser-heap-only-update-no-conflict, but b changes row 3's indexed column: its new index entries meet a's lock on the index page, closing a cycle with b's read of what a writes, and b fails at COMMIT with 40001.
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
UPDATE accounts SET owner = 'dave' WHERE id = 3;
-- a:
UPDATE audit SET note = 'y' WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id, owner, balance FROM accounts ORDER BY id;
