-- SERIALIZABLE: two read-only transactions never fail.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts;
COMMIT;
-- a:
COMMIT;
