-- now() is the transaction's start time: every row a block writes gets the same timestamp.
CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
BEGIN;
INSERT INTO events (id) VALUES (1);
INSERT INTO events (id) VALUES (2);
SELECT count(DISTINCT at) FROM events;
COMMIT;
SELECT count(*) FROM events WHERE at <= now();
