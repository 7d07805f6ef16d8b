-- ON CONFLICT (key) does not cover another unique column: that conflict is still 23505.
CREATE TABLE keys (key text PRIMARY KEY, transfer_id bigint UNIQUE);
INSERT INTO keys VALUES ('a', 1);
INSERT INTO keys VALUES ('b', 1) ON CONFLICT (key) DO NOTHING;
INSERT INTO keys VALUES ('b', 1) ON CONFLICT DO NOTHING;
SELECT key, transfer_id FROM keys ORDER BY key;
