-- A ledger entry keyed by (transfer, leg): replaying a posting is a no-op with DO NOTHING.
CREATE TABLE ledger (transfer_id bigint NOT NULL, leg int NOT NULL, account text NOT NULL, amount bigint NOT NULL, PRIMARY KEY (transfer_id, leg));
INSERT INTO ledger VALUES (1, 1, 'alice', -25), (1, 2, 'bob', 25) ON CONFLICT DO NOTHING;
INSERT INTO ledger VALUES (1, 1, 'alice', -25), (1, 2, 'bob', 25) ON CONFLICT DO NOTHING;
SELECT account, sum(amount) FROM ledger GROUP BY account ORDER BY account;
