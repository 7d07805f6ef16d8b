-- 22P02 for numbers, booleans and uuids that do not parse, in WHERE as in VALUES.
CREATE TABLE t (id bigint PRIMARY KEY, ref uuid, ok boolean);
INSERT INTO t VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true);
SELECT id FROM t WHERE id = 'one';
SELECT id FROM t WHERE ref = 'xyz';
SELECT id FROM t WHERE ok = 'perhaps';
SELECT id FROM t WHERE id = '1';
