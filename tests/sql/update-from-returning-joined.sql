-- UPDATE ... FROM's RETURNING may name the joined tables' columns, * included.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE transfers (id int PRIMARY KEY, payer text NOT NULL, amount bigint NOT NULL);
INSERT INTO accounts VALUES ('alice', 100);
INSERT INTO transfers VALUES (1, 'alice', 30);
UPDATE accounts a SET balance = a.balance - t.amount FROM transfers t WHERE a.id = t.payer RETURNING a.balance, t.amount;
UPDATE accounts a SET balance = 0 FROM transfers t WHERE a.id = t.payer RETURNING *;
