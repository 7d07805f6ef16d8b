-- A scalar subquery's value keeps its column's type: boolean, numeric with its scale, timestamptz, uuid, jsonb, interval and varchar.
CREATE TABLE t (id int PRIMARY KEY, b boolean, n numeric(10, 2), ts timestamptz, u uuid, j jsonb, iv interval, v varchar(5));
INSERT INTO t VALUES (1, true, 10.5, '2026-01-02 03:04:05+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, "x"]}', '1 day 02:03:04', 'abc');
SELECT (SELECT b FROM t) AS b, (SELECT n FROM t) AS n, (SELECT ts FROM t) AS ts, (SELECT u FROM t) AS u;
SELECT (SELECT j FROM t) AS j, (SELECT iv FROM t) AS iv, (SELECT v FROM t) AS v;
SELECT (SELECT n FROM t) + 1 AS n1, (SELECT ts FROM t) + interval '1 hour' AS later, NOT (SELECT b FROM t) AS nb;
SELECT id FROM t WHERE ts = (SELECT ts FROM t WHERE id = 1) AND u IN (SELECT u FROM t);
