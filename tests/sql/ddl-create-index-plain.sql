-- A plain index changes no result; a second index of the same name fails (42P07).
CREATE TABLE ledger (id bigint PRIMARY KEY, account_id bigint NOT NULL, amount bigint NOT NULL);
CREATE INDEX ledger_account ON ledger (account_id);
INSERT INTO ledger VALUES (1, 10, 5), (2, 10, -3), (3, 11, 8);
SELECT id, amount FROM ledger WHERE account_id = 10 ORDER BY id;
CREATE INDEX ledger_account ON ledger (account_id, id);
CREATE INDEX IF NOT EXISTS ledger_account ON ledger (account_id, id);
