-- INSERT ... SELECT into some columns (the rest default), with ON CONFLICT DO NOTHING and RETURNING; its query reads the table it fills at the statement's snapshot.
CREATE TABLE ledger (id serial PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL, note text DEFAULT 'copied', UNIQUE (account, amount));
INSERT INTO ledger (account, amount) VALUES ('alice', 10), ('bob', 20);
INSERT INTO ledger (account, amount) SELECT account, amount * 2 FROM ledger ORDER BY account RETURNING id, account, amount, note;
INSERT INTO ledger (account, amount) SELECT account, amount FROM ledger WHERE amount = 20 ORDER BY account ON CONFLICT DO NOTHING RETURNING id;
INSERT INTO ledger (account, amount) SELECT 'carol', max(amount) + 1 FROM ledger RETURNING account, amount;
SELECT id, account, amount, note FROM ledger ORDER BY id;
