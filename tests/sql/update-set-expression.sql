-- UPDATE ... SET col = expr over several columns, with the count of rows changed.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL DEFAULT 0);
INSERT INTO accounts VALUES (1, 100, 0), (2, 50, 0), (3, 0, 0);
UPDATE accounts SET balance = balance - 25, version = version + 1 WHERE id = 1;
UPDATE accounts SET balance = balance * 2 WHERE balance > 0;
UPDATE accounts SET version = 9 WHERE id = 99;
SELECT id, balance, version FROM accounts ORDER BY id;
