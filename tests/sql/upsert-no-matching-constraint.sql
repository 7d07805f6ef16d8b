-- A conflict target with no unique index or constraint is an error (42P10).
CREATE TABLE keys (id int PRIMARY KEY, key text NOT NULL);
INSERT INTO keys VALUES (1, 'a') ON CONFLICT (key) DO NOTHING;
INSERT INTO keys VALUES (1, 'a') ON CONFLICT (id) DO NOTHING;
SELECT id, key FROM keys ORDER BY id;
