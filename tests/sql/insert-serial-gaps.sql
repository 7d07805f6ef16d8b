-- Sequence values are not given back: a rolled-back insert and a failed one both use up a key.
CREATE TABLE transfers (id serial PRIMARY KEY, key text NOT NULL UNIQUE);
INSERT INTO transfers (key) VALUES ('a') RETURNING id;
BEGIN;
INSERT INTO transfers (key) VALUES ('b') RETURNING id;
ROLLBACK;
INSERT INTO transfers (key) VALUES ('a');
INSERT INTO transfers (key) VALUES ('c') RETURNING id;
INSERT INTO transfers (key) VALUES ('c') ON CONFLICT (key) DO NOTHING;
INSERT INTO transfers (key) VALUES ('d') RETURNING id;
SELECT id, key FROM transfers ORDER BY id;
