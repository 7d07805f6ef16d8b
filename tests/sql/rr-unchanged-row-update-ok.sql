-- REPEATABLE READ: a row nobody changed updates fine, while another row was changed.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT sum(balance) FROM accounts;
-- b:
UPDATE accounts SET balance = 0 WHERE id = 2;
-- a:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
SELECT id, balance FROM accounts ORDER BY id;
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
