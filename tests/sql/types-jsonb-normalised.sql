-- jsonb output: keys sorted (shorter first), duplicates keep the last, spacing normalised.
CREATE TABLE responses (id int PRIMARY KEY, body jsonb);
INSERT INTO responses VALUES (1, '{"status":201,"id":"t1","amount":2500}');
INSERT INTO responses VALUES (2, '{"b": 1, "a": 2, "b": 3}');
INSERT INTO responses VALUES (3, '[1, "two", null, true, {"x": 1.50}]');
INSERT INTO responses VALUES (4, '"just text"');
INSERT INTO responses VALUES (5, '{bad json}');
SELECT id, body FROM responses ORDER BY id;
