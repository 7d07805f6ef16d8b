-- SET on an unknown column is 42703; a NOT NULL column set to NULL is 23502.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 5);
UPDATE accounts SET nope = 1 WHERE id = 1;
UPDATE accounts SET balance = NULL WHERE id = 1;
UPDATE accounts SET balance = 'x' WHERE id = 1;
SELECT balance FROM accounts;
