-- DO UPDATE SET with EXCLUDED: the proposed row's values.
CREATE TABLE balances (account text PRIMARY KEY, balance bigint NOT NULL, updates int NOT NULL DEFAULT 0);
INSERT INTO balances VALUES ('alice', 100) ON CONFLICT (account) DO UPDATE SET balance = balances.balance + EXCLUDED.balance, updates = balances.updates + 1;
INSERT INTO balances VALUES ('alice', 50) ON CONFLICT (account) DO UPDATE SET balance = balances.balance + EXCLUDED.balance, updates = balances.updates + 1;
INSERT INTO balances AS b VALUES ('alice', 7) ON CONFLICT (account) DO UPDATE SET balance = EXCLUDED.balance, updates = b.updates + 1;
SELECT account, balance, updates FROM balances ORDER BY account;
