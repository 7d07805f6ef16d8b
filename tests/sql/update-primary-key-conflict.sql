-- Updating a key to an existing value fails with 23505.
CREATE TABLE keys (key text PRIMARY KEY, n int);
INSERT INTO keys VALUES ('a', 1), ('b', 2);
UPDATE keys SET key = 'b' WHERE key = 'a';
UPDATE keys SET key = 'c' WHERE key = 'a';
SELECT key, n FROM keys ORDER BY key;
