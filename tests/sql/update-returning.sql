-- UPDATE ... RETURNING gives the new values.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
UPDATE accounts SET balance = balance - 30 WHERE id = 1 RETURNING id, balance;
UPDATE accounts SET balance = balance - 30 WHERE id = 1 RETURNING balance + 30 AS before, balance AS after;
UPDATE accounts SET balance = 0 WHERE id = 2 RETURNING id, balance;
