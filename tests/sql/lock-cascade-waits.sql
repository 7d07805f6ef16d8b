-- A cascade waits for a lock on a referring row, then deletes it.
CREATE TABLE accounts (id int PRIMARY KEY);
CREATE TABLE holds (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE, amount bigint NOT NULL);
CREATE TABLE hold_notes (id int PRIMARY KEY, hold_id int NOT NULL REFERENCES holds ON DELETE CASCADE);
INSERT INTO accounts VALUES (1), (2);
INSERT INTO holds VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30);
INSERT INTO hold_notes VALUES (1, 1), (2, 3);
BEGIN;
UPDATE holds SET amount = 11 WHERE id = 2;
-- b:
DELETE FROM accounts WHERE id = 1;
-- a:
COMMIT;
SELECT id, account_id FROM holds ORDER BY id;
SELECT id, hold_id FROM hold_notes ORDER BY id;
