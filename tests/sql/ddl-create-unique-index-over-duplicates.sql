-- A unique index cannot be built over rows that already repeat a key (23505).
CREATE TABLE requests (id bigint PRIMARY KEY, key text NOT NULL);
INSERT INTO requests VALUES (1, 'abc'), (2, 'abc');
CREATE UNIQUE INDEX requests_key ON requests (key);
DELETE FROM requests WHERE id = 2;
CREATE UNIQUE INDEX requests_key ON requests (key);
INSERT INTO requests VALUES (3, 'abc');
