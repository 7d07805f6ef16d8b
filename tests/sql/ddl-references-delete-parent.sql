-- Deleting or re-keying a referenced parent fails (23503); an unreferenced one goes.
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE transfers (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts);
INSERT INTO accounts VALUES (1), (2);
INSERT INTO transfers VALUES (10, 1);
DELETE FROM accounts WHERE id = 1;
UPDATE accounts SET id = 3 WHERE id = 1;
DELETE FROM accounts WHERE id = 2;
SELECT id FROM accounts ORDER BY id;
