-- UPDATE without WHERE touches every row.
CREATE TABLE accounts (id int PRIMARY KEY, frozen boolean NOT NULL DEFAULT false);
INSERT INTO accounts (id) VALUES (1), (2), (3);
UPDATE accounts SET frozen = true;
SELECT count(*) FROM accounts WHERE frozen;
