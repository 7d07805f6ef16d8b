-- A scalar subquery with no row is NULL; with two rows it fails with 21000; with two columns, 42601.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 300);
SELECT (SELECT balance FROM accounts WHERE id = 'nobody') IS NULL;
SELECT id FROM accounts WHERE balance = (SELECT balance FROM accounts WHERE id = 'nobody');
SELECT (SELECT balance FROM accounts);
SELECT (SELECT id, balance FROM accounts WHERE id = 'alice');
SELECT id FROM accounts WHERE id IN (SELECT id, balance FROM accounts);
