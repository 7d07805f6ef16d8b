-- DELETE with IN and a subquery.
CREATE TABLE keys (key text PRIMARY KEY, expired boolean NOT NULL);
CREATE TABLE responses (key text PRIMARY KEY REFERENCES keys ON DELETE CASCADE, body text);
INSERT INTO keys VALUES ('a', true), ('b', false), ('c', true);
INSERT INTO responses VALUES ('a', 'ra'), ('b', 'rb');
DELETE FROM keys WHERE key IN (SELECT key FROM keys WHERE expired);
SELECT key FROM keys ORDER BY key;
SELECT key, body FROM responses ORDER BY key;
