-- A 23505 outside a block does not affect the next statement.
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL);
INSERT INTO keys VALUES ('a', 1);
INSERT INTO keys VALUES ('a', 2);
UPDATE keys SET n = 3 WHERE key = 'a';
SELECT key, n FROM keys;
