-- count, sum, min, max: sum of bigint is numeric, count(col) skips NULLs.
CREATE TABLE ledger (id int PRIMARY KEY, account text NOT NULL, amount bigint);
INSERT INTO ledger VALUES (1, 'alice', 100), (2, 'alice', -30), (3, 'bob', 30), (4, 'bob', NULL);
SELECT count(*), count(amount), sum(amount), min(amount), max(amount) FROM ledger;
SELECT account, count(*), sum(amount) FROM ledger GROUP BY account ORDER BY account;
SELECT sum(amount) FROM ledger WHERE account = 'alice';
