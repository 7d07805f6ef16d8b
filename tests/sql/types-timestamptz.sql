-- timestamptz: input in several zones, output in UTC (the session's zone), compared as instants.
CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL);
INSERT INTO events VALUES (1, '2024-01-31 23:59:59+00'), (2, '2024-02-01 01:00:00+02'), (3, '2024-02-01T00:00:00Z'), (4, '2024-02-01 00:00:00.123456+00');
SELECT id, at FROM events ORDER BY at, id;
SELECT id FROM events WHERE at >= '2024-02-01 00:00:00+00' ORDER BY id;
SELECT min(at), max(at) FROM events;
INSERT INTO events VALUES (5, 'not a time');
