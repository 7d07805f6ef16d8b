-- GROUP BY with HAVING keeps the groups that pass.
CREATE TABLE ledger (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO ledger VALUES (1, 'a', 10), (2, 'a', 20), (3, 'b', 5), (4, 'c', 50), (5, 'c', -60);
SELECT account, sum(amount) AS total FROM ledger GROUP BY account HAVING sum(amount) > 0 ORDER BY account;
SELECT account, count(*) FROM ledger GROUP BY account HAVING count(*) > 1 ORDER BY account;
