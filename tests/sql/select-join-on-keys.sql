-- An inner join on keys, and a left join that keeps rows without a match.
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL);
CREATE TABLE transfers (id int PRIMARY KEY, account_id int REFERENCES accounts, amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
INSERT INTO transfers VALUES (10, 1, 100), (11, 1, -30), (12, 2, 5);
SELECT t.id, a.owner, t.amount FROM transfers t JOIN accounts a ON a.id = t.account_id ORDER BY t.id;
SELECT a.owner, t.id FROM accounts a LEFT JOIN transfers t ON t.account_id = a.id ORDER BY a.owner, t.id;
SELECT a.owner, t.amount FROM accounts a, transfers t WHERE a.id = t.account_id AND t.amount > 0 ORDER BY t.id;
