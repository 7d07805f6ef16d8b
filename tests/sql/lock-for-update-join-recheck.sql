-- FOR UPDATE over a join waits, then re-checks the joined row at the newest version: a row that no longer matches is left out.
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE holds (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts, amount bigint NOT NULL, state text NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 50);
INSERT INTO holds VALUES (1, 1, 30, 'open'), (2, 2, 10, 'open'), (3, 1, 5, 'open');
BEGIN;
UPDATE holds SET state = 'captured' WHERE id = 1;
UPDATE accounts SET balance = 60 WHERE id = 2;
-- b:
BEGIN;
SELECT h.id, h.state, a.balance FROM holds h JOIN accounts a ON a.id = h.account_id WHERE h.state = 'open' ORDER BY h.id FOR UPDATE;
-- a:
COMMIT;
-- b:
COMMIT;
BEGIN;
SELECT h.id FROM holds h JOIN accounts a ON a.id = h.account_id ORDER BY h.id LIMIT 1 FOR UPDATE OF h SKIP LOCKED;
-- c:
BEGIN;
SELECT h.id, a.id FROM holds h JOIN accounts a ON a.id = h.account_id ORDER BY h.id LIMIT 1 FOR UPDATE OF h SKIP LOCKED;
SELECT a.id FROM accounts a LEFT JOIN holds h ON h.account_id = a.id AND h.id = 99 WHERE a.id = 2 FOR SHARE OF a NOWAIT;
SELECT a.id FROM accounts a LEFT JOIN holds h ON h.account_id = a.id FOR SHARE OF h;
ROLLBACK;
-- b:
ROLLBACK;
