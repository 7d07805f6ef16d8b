-- LIKE with NULL is NULL; an escape of more than one character is an error.
CREATE TABLE keys (key text PRIMARY KEY, note text);
INSERT INTO keys VALUES ('k1', NULL), ('k2', 'retry'), ('k3', 'first');
SELECT key FROM keys WHERE note LIKE '%r%' ORDER BY key;
SELECT key FROM keys WHERE note NOT LIKE '%r%' ORDER BY key;
SELECT key, note LIKE 'r%' FROM keys ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'k%' ESCAPE 'ab';
SELECT key FROM keys WHERE key LIKE $$k_$$ ORDER BY key;
