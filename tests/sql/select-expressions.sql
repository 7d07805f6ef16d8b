-- Expressions in the select list: arithmetic, concatenation, CASE, COALESCE, aliases.
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance bigint);
INSERT INTO accounts VALUES (1, 'alice', 100), (2, NULL, -5);
SELECT id, balance * 2 AS doubled, 'acct-' || id AS label, COALESCE(owner, '?') AS owner, CASE WHEN balance < 0 THEN 'overdrawn' ELSE 'ok' END AS state FROM accounts ORDER BY id;
SELECT -balance, abs(balance), balance / 3, balance % 3 FROM accounts ORDER BY id;
