-- timestamp (without time zone): an offset in its input is ignored, it prints without one, and it meets timestamptz at UTC (the session's zone).
CREATE TABLE events (id int PRIMARY KEY, at timestamp NOT NULL, at_tz timestamptz, created_at timestamp DEFAULT now());
INSERT INTO events VALUES (1, '2026-12-07 04:25:55.1234', '2026-12-07 04:25:55+00');
INSERT INTO events VALUES (2, '2026-12-07 06:25:55+02', '2026-12-07 06:25:55+02');
INSERT INTO events VALUES (3, '2026-12-07T10:00:00', NULL);
INSERT INTO events VALUES (4, '2026-13-01 00:00:00', NULL);
INSERT INTO events VALUES (5, 'yesterday-ish', NULL);
INSERT INTO events VALUES (6, '2026-01-31', NULL);
SELECT id, at, at_tz, created_at IS NOT NULL FROM events ORDER BY id;
SELECT id, at + interval '1 day', at - interval '1 month', at - '2026-12-07 00:00:00'::timestamp FROM events ORDER BY id;
SELECT id FROM events WHERE at > '2026-12-07 05:00:00' ORDER BY at DESC;
SELECT id, at = at_tz, at < at_tz FROM events WHERE at_tz IS NOT NULL ORDER BY id;
SELECT '2026-12-07 04:25:55+05'::timestamp, CAST('2026-12-07' AS timestamp without time zone);
UPDATE events SET at = at_tz WHERE id = 2 RETURNING at;
SELECT at_tz::timestamp, at::timestamptz, at - at_tz FROM events WHERE id = 1;
SELECT max(at), min(at) FROM events;
