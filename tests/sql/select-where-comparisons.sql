-- WHERE with =, <>, <, <=, >, >= and a NULL that matches none of them.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint);
INSERT INTO accounts VALUES (1, 0), (2, 50), (3, 100), (4, NULL), (5, -10);
SELECT id FROM accounts WHERE balance = 50 ORDER BY id;
SELECT id FROM accounts WHERE balance <> 50 ORDER BY id;
SELECT id FROM accounts WHERE balance != 50 ORDER BY id;
SELECT id FROM accounts WHERE balance < 50 ORDER BY id;
SELECT id FROM accounts WHERE balance <= 50 ORDER BY id;
SELECT id FROM accounts WHERE balance > 0 ORDER BY id;
SELECT id FROM accounts WHERE balance >= 0 ORDER BY id;
