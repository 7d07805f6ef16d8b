-- INSERT ... SELECT copies the rows a query finds.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE snapshots (account_id bigint PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 10), (2, 20), (3, 30);
INSERT INTO snapshots SELECT id, balance FROM accounts WHERE balance >= 20;
SELECT account_id, balance FROM snapshots ORDER BY account_id;
