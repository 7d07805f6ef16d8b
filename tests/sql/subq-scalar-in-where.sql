-- A scalar subquery in WHERE: the accounts holding the largest balance.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 300), ('carol', 300);
SELECT id FROM accounts WHERE balance = (SELECT max(balance) FROM accounts) ORDER BY id;
SELECT id FROM accounts WHERE balance < (SELECT balance FROM accounts WHERE id = 'bob') ORDER BY id;
