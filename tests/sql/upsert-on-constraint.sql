-- ON CONFLICT ON CONSTRAINT names the constraint instead of the columns.
CREATE TABLE keys (id int PRIMARY KEY, key text NOT NULL, CONSTRAINT keys_key_unique UNIQUE (key));
INSERT INTO keys VALUES (1, 'k');
INSERT INTO keys VALUES (2, 'k') ON CONFLICT ON CONSTRAINT keys_key_unique DO NOTHING;
INSERT INTO keys VALUES (3, 'k') ON CONFLICT ON CONSTRAINT nope DO NOTHING;
SELECT id, key FROM keys ORDER BY id;
INSERT INTO keys VALUES (4, 'k') ON CONFLICT ON CONSTRAINT keys_key_unique DO UPDATE SET id = keys.id + 10 RETURNING id, key;
INSERT INTO keys VALUES (11, 'j') ON CONFLICT ON CONSTRAINT keys_key_unique DO NOTHING;
INSERT INTO keys VALUES (5, 'j') ON CONFLICT ON CONSTRAINT keys_pkey DO UPDATE SET key = excluded.key || '!' RETURNING id, key;
CREATE UNIQUE INDEX keys_lower ON keys (id, key);
INSERT INTO keys VALUES (12, 'z') ON CONFLICT ON CONSTRAINT keys_lower DO NOTHING;
SELECT id, key FROM keys ORDER BY id;
