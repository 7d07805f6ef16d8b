-- Concurrent transactions take keys from the sequence in the order they insert, not the order they commit.
CREATE TABLE transfers (id bigserial PRIMARY KEY, who text NOT NULL);
BEGIN;
INSERT INTO transfers (who) VALUES ('a') RETURNING id;
-- b:
BEGIN;
INSERT INTO transfers (who) VALUES ('b') RETURNING id;
COMMIT;
-- a:
INSERT INTO transfers (who) VALUES ('a') RETURNING id;
COMMIT;
SELECT id, who FROM transfers ORDER BY id;
