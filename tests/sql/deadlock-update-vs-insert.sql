-- An update and an insert of a unique key wait on each other.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO accounts VALUES (1, 100);
BEGIN;
INSERT INTO keys VALUES ('k');
-- b:
BEGIN;
UPDATE accounts SET balance = 0 WHERE id = 1;
-- a:
UPDATE accounts SET balance = 1 WHERE id = 1;
-- b:
INSERT INTO keys VALUES ('k');
ROLLBACK;
-- a:
COMMIT;
SELECT balance FROM accounts;
SELECT key FROM keys;
