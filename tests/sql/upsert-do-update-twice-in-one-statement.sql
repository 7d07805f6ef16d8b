-- DO UPDATE cannot touch the same row twice in one statement (21000).
CREATE TABLE keys (key text PRIMARY KEY, n int NOT NULL);
INSERT INTO keys VALUES ('a', 1), ('a', 2) ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n;
SELECT count(*) FROM keys;
