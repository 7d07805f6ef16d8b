-- Subqueries in UPDATE's SET and WHERE, in INSERT's VALUES, and in DELETE's WHERE.
CREATE TABLE entries (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
CREATE TABLE balances (account text PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO entries VALUES (1, 'alice', 100), (2, 'alice', -30), (3, 'bob', 50);
INSERT INTO balances VALUES ('alice', 0), ('bob', 0);
UPDATE balances SET balance = (SELECT sum(amount) FROM entries WHERE account = 'alice') WHERE account = 'alice' RETURNING account, balance;
INSERT INTO entries VALUES ((SELECT max(id) + 1 FROM entries), 'bob', 25) RETURNING id;
UPDATE balances SET balance = 1 WHERE account IN (SELECT account FROM entries WHERE amount < 0);
DELETE FROM entries WHERE id = (SELECT min(id) FROM entries WHERE account = 'bob') RETURNING id;
SELECT account, balance FROM balances ORDER BY account;
SELECT id FROM entries ORDER BY id;
