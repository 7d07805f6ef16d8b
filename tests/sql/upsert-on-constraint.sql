-- ON CONFLICT ON CONSTRAINT names the constraint instead of the columns.
CREATE TABLE keys (id int PRIMARY KEY, key text NOT NULL, CONSTRAINT keys_key_unique UNIQUE (key));
INSERT INTO keys VALUES (1, 'k');
INSERT INTO keys VALUES (2, 'k') ON CONFLICT ON CONSTRAINT keys_key_unique DO NOTHING;
INSERT INTO keys VALUES (3, 'k') ON CONFLICT ON CONSTRAINT nope DO NOTHING;
SELECT id, key FROM keys ORDER BY id;
