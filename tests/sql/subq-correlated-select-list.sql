-- Correlated scalar subqueries as output columns: typed and named as their column, NULL without rows.
CREATE TABLE accounts (id text PRIMARY KEY, opening bigint NOT NULL);
CREATE TABLE entries (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL, note text);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 300), ('carol', 0);
INSERT INTO entries VALUES (1, 'alice', -10, 'fee'), (2, 'alice', -15, 'refund'), (3, 'bob', 40, NULL);
SELECT id, (SELECT sum(amount) FROM entries e WHERE e.account = a.id) FROM accounts a ORDER BY id;
SELECT id, opening + (SELECT coalesce(sum(amount), 0) FROM entries e WHERE e.account = a.id) AS balance FROM accounts a ORDER BY balance DESC;
SELECT a.id, (SELECT note FROM entries e WHERE e.account = a.id ORDER BY e.id DESC LIMIT 1) AS last_note, EXISTS (SELECT 1 FROM entries e WHERE e.account = a.id) FROM accounts a ORDER BY 1;
SELECT id FROM accounts a ORDER BY (SELECT count(*) FROM entries e WHERE e.account = a.id) DESC, id;
SELECT (SELECT count(*) FROM entries e WHERE e.account = a.id) AS n, count(*) FROM accounts a GROUP BY 1 ORDER BY 1;
SELECT id, (SELECT amount FROM entries e WHERE e.account = a.id) FROM accounts a ORDER BY id;
SELECT id, (SELECT amount, note FROM entries e WHERE e.account = a.id) FROM accounts a;
SELECT a.opening, count(*) FROM accounts a GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM accounts GROUP BY 3;
