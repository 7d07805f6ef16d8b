-- The conflict target may name the columns of a CREATE UNIQUE INDEX.
CREATE TABLE requests (id bigint PRIMARY KEY, key text NOT NULL, n int NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX requests_key ON requests (key);
INSERT INTO requests VALUES (1, 'k') ON CONFLICT (key) DO UPDATE SET n = requests.n + 1;
INSERT INTO requests VALUES (2, 'k') ON CONFLICT (key) DO UPDATE SET n = requests.n + 1;
SELECT id, key, n FROM requests ORDER BY id;
