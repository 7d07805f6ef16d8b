-- The updated row of DO UPDATE is checked: an overdraft fails with 23514.
CREATE TABLE balances (account text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO balances VALUES ('alice', 10);
INSERT INTO balances VALUES ('alice', -20) ON CONFLICT (account) DO UPDATE SET balance = balances.balance + EXCLUDED.balance;
INSERT INTO balances VALUES ('alice', -5) ON CONFLICT (account) DO UPDATE SET balance = balances.balance + EXCLUDED.balance;
SELECT account, balance FROM balances;
