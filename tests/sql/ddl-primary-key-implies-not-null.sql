-- A PRIMARY KEY column is NOT NULL (23502) and unique (23505).
CREATE TABLE keys (key text PRIMARY KEY, response text);
INSERT INTO keys VALUES (NULL, 'x');
INSERT INTO keys VALUES ('k1', 'x');
INSERT INTO keys VALUES ('k1', 'y');
SELECT key, response FROM keys ORDER BY key;
