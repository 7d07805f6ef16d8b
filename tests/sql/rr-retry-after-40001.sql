-- After 40001 the client retries the whole transaction and succeeds on the new value.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
-- b:
UPDATE accounts SET balance = balance - 30 WHERE id = 1;
-- a:
UPDATE accounts SET balance = balance - 50 WHERE id = 1;
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT balance FROM accounts WHERE id = 1;
UPDATE accounts SET balance = balance - 50 WHERE id = 1;
COMMIT;
SELECT balance FROM accounts WHERE id = 1;
