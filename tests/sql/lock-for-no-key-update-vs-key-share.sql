-- FOR NO KEY UPDATE and FOR KEY SHARE do not conflict; FOR UPDATE and FOR KEY SHARE do.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100);
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR NO KEY UPDATE;
SELECT id FROM accounts WHERE id = 2 FOR UPDATE;
-- b:
BEGIN;
SELECT id FROM accounts WHERE id = 1 FOR KEY SHARE;
SELECT id FROM accounts WHERE id = 2 FOR KEY SHARE;
-- a:
COMMIT;
-- b:
COMMIT;
