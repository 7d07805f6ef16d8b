-- SERIALIZABLE: two withdrawals each check the sum of two accounts and debit a different one: one fails with 40001.
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 'alice', 50), (2, 'alice', 50);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT sum(balance) FROM accounts WHERE owner = 'alice';
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT sum(balance) FROM accounts WHERE owner = 'alice';
UPDATE accounts SET balance = balance - 80 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance - 80 WHERE id = 1;
COMMIT;
-- b:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
