-- The guarded debit: UPDATE ... WHERE balance >= amount changes 0 rows when funds are short.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 100);
UPDATE accounts SET balance = balance - 60 WHERE id = 1 AND balance >= 60 RETURNING balance;
UPDATE accounts SET balance = balance - 60 WHERE id = 1 AND balance >= 60 RETURNING balance;
SELECT balance FROM accounts WHERE id = 1;
