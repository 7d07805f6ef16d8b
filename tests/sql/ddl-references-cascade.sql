-- ON DELETE CASCADE removes the children with the parent.
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE holds (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE, amount bigint);
INSERT INTO accounts VALUES (1), (2);
INSERT INTO holds VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30);
DELETE FROM accounts WHERE id = 1;
SELECT id, account_id, amount FROM holds ORDER BY id;
