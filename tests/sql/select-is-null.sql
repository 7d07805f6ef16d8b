-- IS NULL and IS NOT NULL.
CREATE TABLE keys (key text PRIMARY KEY, response text);
INSERT INTO keys VALUES ('a', NULL), ('b', '{}'), ('c', '');
SELECT key FROM keys WHERE response IS NULL ORDER BY key;
SELECT key FROM keys WHERE response IS NOT NULL ORDER BY key;
SELECT key FROM keys WHERE response = '' ORDER BY key;
