-- SELECT DISTINCT removes duplicate rows.
CREATE TABLE ledger (id int PRIMARY KEY, account text NOT NULL);
INSERT INTO ledger VALUES (1, 'a'), (2, 'b'), (3, 'a'), (4, 'c'), (5, 'b');
SELECT DISTINCT account FROM ledger ORDER BY account;
SELECT count(DISTINCT account) FROM ledger;
