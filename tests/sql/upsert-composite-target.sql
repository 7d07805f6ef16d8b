-- A conflict target of two columns matches the two-column unique constraint.
CREATE TABLE keys (merchant text NOT NULL, key text NOT NULL, transfer_id bigint, PRIMARY KEY (merchant, key));
INSERT INTO keys VALUES ('m1', 'k', 1) ON CONFLICT (merchant, key) DO NOTHING;
INSERT INTO keys VALUES ('m1', 'k', 2) ON CONFLICT (merchant, key) DO NOTHING;
INSERT INTO keys VALUES ('m2', 'k', 3) ON CONFLICT (merchant, key) DO UPDATE SET transfer_id = EXCLUDED.transfer_id;
INSERT INTO keys VALUES ('m2', 'k', 4) ON CONFLICT (key, merchant) DO UPDATE SET transfer_id = EXCLUDED.transfer_id;
SELECT merchant, key, transfer_id FROM keys ORDER BY merchant, key;
