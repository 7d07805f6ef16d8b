-- UPDATE with a scalar subquery in SET.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE ledger (id int PRIMARY KEY, account_id int NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 0), (2, 0);
INSERT INTO ledger VALUES (1, 1, 10), (2, 1, 15), (3, 2, -4);
UPDATE accounts SET balance = (SELECT coalesce(sum(amount), 0) FROM ledger WHERE ledger.account_id = accounts.id);
SELECT id, balance FROM accounts ORDER BY id;
