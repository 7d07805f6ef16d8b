-- Three sessions wait on each other in a ring: the third wait closes the
-- cycle and fails; the others then proceed one after the other.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 100), (3, 100);
BEGIN;
UPDATE accounts SET balance = balance - 1 WHERE id = 1;
-- b:
BEGIN;
UPDATE accounts SET balance = balance - 1 WHERE id = 2;
-- c:
BEGIN;
UPDATE accounts SET balance = balance - 1 WHERE id = 3;
-- a:
UPDATE accounts SET balance = balance + 1 WHERE id = 2;
-- b:
UPDATE accounts SET balance = balance + 1 WHERE id = 3;
-- c:
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
ROLLBACK;
-- b:
COMMIT;
-- a:
COMMIT;
SELECT id, balance FROM accounts ORDER BY id;
