-- Aggregates over no rows: count is 0, the others NULL; with GROUP BY, no row.
CREATE TABLE ledger (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
SELECT count(*), sum(amount), min(amount), max(amount) FROM ledger;
SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = 'nobody';
SELECT account, sum(amount) FROM ledger GROUP BY account;
