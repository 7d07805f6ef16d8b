-- UPDATE over an IN list counts every row changed, and rows already at the value too.
CREATE TABLE accounts (id int PRIMARY KEY, frozen boolean NOT NULL);
INSERT INTO accounts VALUES (1, false), (2, true), (3, false), (4, false);
UPDATE accounts SET frozen = true WHERE id IN (1, 2, 3);
SELECT id FROM accounts WHERE frozen ORDER BY id;
