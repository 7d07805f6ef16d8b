-- jsonb compares by value: key order and spacing do not matter.
CREATE TABLE responses (id int PRIMARY KEY, body jsonb);
INSERT INTO responses VALUES (1, '{"a": 1, "b": [1, 2]}'), (2, '{"b":[1,2],"a":1}'), (3, '{"a": 1.0, "b": [1, 2]}');
SELECT id FROM responses WHERE body = '{"b": [1, 2], "a": 1}' ORDER BY id;
SELECT count(*) FROM responses WHERE body @> '{"a": 1}';
