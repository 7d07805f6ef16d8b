-- FOR NO KEY UPDATE conflicts with FOR SHARE and with itself.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR NO KEY UPDATE;
SELECT id FROM accounts WHERE id = 2 FOR SHARE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id = 2 FOR NO KEY UPDATE;
-- a:
COMMIT;
-- b:
SELECT id FROM accounts WHERE id = 1 FOR NO KEY UPDATE;
COMMIT;
