-- CHECK (balance >= 0) rejects an overdraft (23514) on insert and update.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 100);
INSERT INTO accounts VALUES (2, -1);
UPDATE accounts SET balance = balance - 150 WHERE id = 1;
UPDATE accounts SET balance = balance - 100 WHERE id = 1;
SELECT id, balance FROM accounts ORDER BY id;
