-- CREATE UNIQUE INDEX enforces uniqueness like a constraint.
CREATE TABLE requests (id bigint PRIMARY KEY, key text NOT NULL);
CREATE UNIQUE INDEX requests_key ON requests (key);
INSERT INTO requests VALUES (1, 'abc');
INSERT INTO requests VALUES (2, 'abc');
INSERT INTO requests VALUES (3, 'abd');
SELECT id, key FROM requests ORDER BY id;
