-- Correlated subqueries in UPDATE, DELETE and INSERT ... SELECT: recompute, prune, insert what is missing.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE entries (id int PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
CREATE TABLE pending (key text PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
CREATE TABLE applied (key text NOT NULL, account text NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 0), ('bob', 0), ('carol', 5);
INSERT INTO entries VALUES (1, 'alice', 100), (2, 'alice', -30), (3, 'bob', 20);
UPDATE accounts a SET balance = (SELECT coalesce(sum(amount), 0) FROM entries e WHERE e.account = a.id) RETURNING id, balance;
DELETE FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.account = a.id) RETURNING id;
INSERT INTO pending VALUES ('k1', 'alice', 5), ('k2', 'bob', 7), ('k3', 'alice', 9);
INSERT INTO applied VALUES ('k2', 'bob', 7);
INSERT INTO applied (key, account, amount) SELECT p.key, p.account, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied x WHERE x.key = p.key) ORDER BY p.key RETURNING key;
INSERT INTO applied (key, account, amount) SELECT p.key, p.account, p.amount FROM pending p WHERE NOT EXISTS (SELECT 1 FROM applied x WHERE x.key = p.key);
UPDATE accounts a SET balance = balance + (SELECT sum(amount) FROM applied x WHERE x.account = a.id AND EXISTS (SELECT 1 FROM pending p WHERE p.key = x.key AND p.account = a.id)) WHERE a.id = 'alice' RETURNING balance;
SELECT key, account, amount FROM applied ORDER BY key;
