-- A subquery inside a subquery runs first.
CREATE TABLE holds (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 'alice', 10), (2, 'bob', 20), (3, 'carol', 30), (4, 'bob', 5);
SELECT DISTINCT account FROM holds WHERE account IN (SELECT account FROM holds WHERE amount > (SELECT min(amount) FROM holds)) ORDER BY account;
