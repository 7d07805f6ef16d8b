-- DO NOTHING with the same key twice in one statement keeps the first.
CREATE TABLE keys (key text PRIMARY KEY, n int);
INSERT INTO keys VALUES ('a', 1), ('a', 2), ('b', 3) ON CONFLICT (key) DO NOTHING;
SELECT key, n FROM keys ORDER BY key;
