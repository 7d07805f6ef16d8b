-- Scalar subqueries as output columns keep their type: a count, a sum and a text.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE holds (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 300);
INSERT INTO holds VALUES (1, 'alice', 10), (2, 'alice', 15);
SELECT id, (SELECT count(*) FROM holds) AS holds, (SELECT sum(amount) FROM holds) AS held FROM accounts ORDER BY id;
SELECT (SELECT id FROM accounts ORDER BY balance DESC LIMIT 1) AS richest;
