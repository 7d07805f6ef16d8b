-- READ COMMITTED: UPDATE ... FROM waits for a concurrent change of its target row, then re-checks it.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE holds (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100);
INSERT INTO holds VALUES (1, 'alice', 30);
BEGIN;
UPDATE accounts SET balance = balance - 50 WHERE id = 'alice';
-- b:
UPDATE accounts a SET balance = a.balance - h.amount FROM holds h WHERE h.account = a.id AND a.balance >= h.amount RETURNING a.balance;
-- a:
COMMIT;
SELECT id, balance FROM accounts;
