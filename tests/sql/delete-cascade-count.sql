-- The count of a DELETE leaves out the rows ON DELETE CASCADE removed with it.
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE holds (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE);
INSERT INTO accounts VALUES (1), (2);
INSERT INTO holds VALUES (1, 1), (2, 1), (3, 1), (4, 2);
DELETE FROM accounts WHERE id = 1;
SELECT count(*) FROM holds;
DELETE FROM accounts;
SELECT count(*) FROM holds;
