-- Debit by read-check-write under FOR UPDATE: two concurrent debits of 60 from 100, the second sees 40 and declines.
CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES ('alice', 100);
BEGIN;
SELECT balance FROM accounts WHERE id = 'alice' FOR UPDATE;
-- b:
BEGIN;
SELECT balance FROM accounts WHERE id = 'alice' FOR UPDATE;
-- a:
UPDATE accounts SET balance = 40 WHERE id = 'alice';
COMMIT;
-- b:
ROLLBACK;
SELECT balance FROM accounts;
