-- UPDATE ... FROM and DELETE ... USING: the other tables' columns in SET and WHERE; rows without a match are left alone.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE transfers (id int PRIMARY KEY, payer text NOT NULL, payee text NOT NULL, amount bigint NOT NULL, applied boolean NOT NULL DEFAULT false);
INSERT INTO accounts VALUES ('alice', 100), ('bob', 20), ('carol', 0);
INSERT INTO transfers (id, payer, payee, amount) VALUES (1, 'alice', 'bob', 30), (2, 'bob', 'carol', 5);
UPDATE accounts a SET balance = a.balance - t.amount FROM transfers t WHERE t.id = 1 AND a.id = t.payer RETURNING a.id, a.balance;
UPDATE accounts SET balance = balance + t.amount FROM transfers AS t WHERE t.id = 1 AND accounts.id = t.payee RETURNING accounts.id, balance;
UPDATE accounts SET balance = balance + t.amount FROM transfers AS t WHERE t.id = 1 AND accounts.id = t.payee RETURNING id;
UPDATE transfers t SET applied = true FROM accounts p, accounts q WHERE p.id = t.payer AND q.id = t.payee AND p.balance >= t.amount AND t.id = 2 RETURNING t.id, applied;
UPDATE accounts a SET balance = 0 FROM transfers t WHERE t.id = 99 AND a.id = t.payer;
UPDATE accounts a SET balance = x.amount FROM transfers x JOIN accounts b ON b.id = x.payee WHERE a.id = 'carol' AND x.id = 2 RETURNING a.balance;
UPDATE accounts SET balance = 1 FROM transfers WHERE id = 1;
DELETE FROM transfers t USING accounts a WHERE a.id = t.payee AND a.balance < 10 RETURNING t.id;
SELECT id, balance FROM accounts ORDER BY id;
SELECT id, applied FROM transfers ORDER BY id;
