-- A deleted key can be inserted again.
CREATE TABLE keys (key text PRIMARY KEY, n int);
INSERT INTO keys VALUES ('k', 1);
DELETE FROM keys WHERE key = 'k';
INSERT INTO keys VALUES ('k', 2);
SELECT key, n FROM keys;
