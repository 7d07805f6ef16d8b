-- SERIALIZABLE: the reads go through a join of accounts and their holds; each then inserts a hold on a different account: one fails with 40001.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE holds (id int PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT coalesce(sum(h.amount), 0) FROM accounts a LEFT JOIN holds h ON h.account = a.id;
-- b:
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT coalesce(sum(h.amount), 0) FROM accounts a LEFT JOIN holds h ON h.account = a.id;
INSERT INTO holds VALUES (2, 2, 150);
-- a:
INSERT INTO holds VALUES (1, 1, 150);
COMMIT;
-- b:
COMMIT;
SELECT id, account FROM holds ORDER BY id;
