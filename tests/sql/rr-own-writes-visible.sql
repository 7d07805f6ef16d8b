-- REPEATABLE READ still sees its own writes.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
START TRANSACTION ISOLATION LEVEL REPEATABLE READ;
UPDATE accounts SET balance = balance - 1 WHERE id = 1;
INSERT INTO accounts VALUES (2, 2);
SELECT id, balance FROM accounts ORDER BY id;
COMMIT;
