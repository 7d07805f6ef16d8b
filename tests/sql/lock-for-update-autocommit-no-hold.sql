-- FOR UPDATE outside a block holds its lock only for that statement.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
-- b:
UPDATE accounts SET balance = 1 WHERE id = 1;
SELECT balance FROM accounts WHERE id = 1;
