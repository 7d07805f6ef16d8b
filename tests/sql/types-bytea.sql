-- bytea: hex and escape input, hex output, byte order, length, ||, a unique key on bytes, and bad input (22023, 22P02).
CREATE TABLE bodies (id int PRIMARY KEY, body bytea, digest bytea UNIQUE);
INSERT INTO bodies VALUES (1, '\x7b226f6b223a747275657d', '\xDEADBEEF');
INSERT INTO bodies VALUES (2, 'plain text', '\x00');
INSERT INTO bodies VALUES (3, 'a\\b\001c', '\x de ad ');
INSERT INTO bodies VALUES (4, '', '\x');
INSERT INTO bodies VALUES (5, NULL, '\xdeadbeef');
INSERT INTO bodies VALUES (6, '\x0', '\x01');
INSERT INTO bodies VALUES (7, '\xzz', '\x02');
INSERT INTO bodies VALUES (8, 'bad\escape', '\x03');
INSERT INTO bodies VALUES (9, E'\\x41\\x42', '\x04');
SELECT id, body, digest FROM bodies ORDER BY id;
SELECT id, length(body), length(digest) FROM bodies ORDER BY digest;
SELECT id FROM bodies WHERE digest = '\xdead' ORDER BY id;
SELECT id FROM bodies WHERE digest > '\x00' ORDER BY digest DESC;
SELECT '\x01'::bytea || '\x02ff'::bytea, 'abc'::bytea, '\x4142'::bytea = 'AB'::bytea;
SELECT '\x'::bytea < '\x00'::bytea, '\x00'::bytea < '\x0000'::bytea, '\xff'::bytea > '\x00ff'::bytea;
UPDATE bodies SET body = body || '\x21' WHERE id = 1 RETURNING body;
SELECT CAST(body AS text) FROM bodies WHERE id = 2;
